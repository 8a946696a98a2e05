using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Headroom.Cli.Rendering;
using Headroom.Store;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom runs list|show|rm</c>: the runs saved with <c>analyze --save</c> (docs/store.md).</summary>
public static class RunsCommand
{
    /// <summary>The <c>--store PATH</c> option every store command takes.</summary>
    internal static Option<string?> StoreOption() => new("--store")
    {
        Description = "The run store file (default: $HEADROOM_STORE, else headroom/runs.db in the user's data folder, e.g. ~/.local/share).",
    };

    /// <summary>Builds <c>headroom runs</c> and its subcommands.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var runs = new Command("runs", "List, show and remove the runs saved with 'headroom analyze --save'.");

        var listStore = StoreOption();
        var listJson = new Option<bool>("--json") { Description = "Write the runs as a JSON array." };
        var limit = new Option<int?>("--limit") { Description = "Only the newest N runs." };
        var list = new Command("list", "The stored runs, newest first: id, label, time, ranks, hardware, step time, MFU.") { listStore, listJson, limit };
        list.SetAction(p => List(p.GetValue(listStore), p.GetValue(listJson), p.GetValue(limit), stdout, stderr));

        var showStore = StoreOption();
        var showJson = new Option<bool>("--json") { Description = "Write the run's full report exactly as 'analyze --json' wrote it." };
        var showId = new Argument<string>("run") { Description = "Run id or label (the newest run with that label)." };
        var show = new Command("show", "One stored run: inputs with their SHA-256, per-rank summary, top headroom.") { showId, showStore, showJson };
        show.SetAction(p => Show(p.GetValue(showStore), p.GetValue(showId)!, p.GetValue(showJson), stdout, stderr));

        var rmStore = StoreOption();
        var rmId = new Argument<string>("run") { Description = "Run id or label (the newest run with that label)." };
        var rm = new Command("rm", "Remove a stored run.") { rmId, rmStore };
        rm.SetAction(p => Remove(p.GetValue(rmStore), p.GetValue(rmId)!, stdout, stderr));

        runs.Subcommands.Add(list);
        runs.Subcommands.Add(show);
        runs.Subcommands.Add(rm);
        return runs;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the store, which must exist (only <c>analyze --save</c> creates one); a store
    /// problem is one error line and exit 2.
    /// </summary>
    internal static int WithStore(string? path, bool readOnly, TextWriter stderr, Func<RunStore, int> action)
    {
        var file = path ?? RunStore.DefaultPath;
        try
        {
            if (!File.Exists(file))
            {
                throw new StoreException($"{file}: no run store here yet; save a run with 'headroom analyze --save' or pass --store PATH");
            }

            using var store = RunStore.Open(file, readOnly);
            return action(store);
        }
        catch (StoreException e)
        {
            stderr.WriteLine($"headroom: error: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    private static int List(string? path, bool json, int? limit, TextWriter stdout, TextWriter stderr)
    {
        var file = path ?? RunStore.DefaultPath;
        if (!File.Exists(file))
        {
            if (json)
            {
                stdout.WriteLine("[]");
            }
            else
            {
                stdout.WriteLine($"No runs stored in {file} yet; save one with 'headroom analyze --save'.");
            }

            return ExitCodes.Ok;
        }

        return WithStore(path, false, stderr, store =>
        {
            var runs = store.List(limit);
            if (json)
            {
                WriteJson(runs, stdout);
                return ExitCodes.Ok;
            }

            var table = new TextTable(["id", "label", "saved (UTC)", "ranks", "hardware", "step time", "MFU"]);
            foreach (var r in runs)
            {
                table.Add([r.Id, r.Label ?? "", r.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), r.RankCount,
                    r.Hardware.Length > 0 ? r.Hardware : r.Devices, r.StepNs is { } ns ? Milliseconds(ns) : "", r.Mfu is { } m ? Percent(m) : ""]);
            }

            table.Write(stdout);
            return ExitCodes.Ok;
        });
    }

    private static void WriteJson(IReadOnlyList<StoredRun> runs, TextWriter stdout)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartArray();
            foreach (var r in runs)
            {
                w.WriteStartObject();
                w.WriteNumber("id", r.Id);
                w.WriteString("label", r.Label);
                w.WriteString("created_at", r.CreatedAt.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
                w.WriteString("tool_version", r.ToolVersion);
                w.WriteString("conventions", r.Conventions);
                w.WriteNumber("ranks", r.RankCount);
                w.WriteNumber("inputs", r.InputCount);
                w.WriteNumber("input_bytes", r.InputBytes);
                w.WriteString("devices", r.Devices);
                w.WriteString("hardware", r.Hardware);
                w.WriteNumber("steps", r.StepCount);
                if (r.StepNs is { } ns)
                {
                    w.WriteNumber("step_ns", ns);
                }
                else
                {
                    w.WriteNull("step_ns");
                }

                if (r.Mfu is { } mfu)
                {
                    w.WriteNumber("mfu", mfu);
                }
                else
                {
                    w.WriteNull("mfu");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        stdout.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static int Show(string? path, string id, bool json, TextWriter stdout, TextWriter stderr) =>
        WithStore(path, false, stderr, store =>
        {
            var run = store.Get(id);
            if (json)
            {
                stdout.Write(store.LoadReportJson(run.Id));
                stdout.WriteLine();
            }
            else
            {
                WriteRun(store, run, stdout);
            }

            return ExitCodes.Ok;
        });

    private static int Remove(string? path, string id, TextWriter stdout, TextWriter stderr) =>
        WithStore(path, false, stderr, store =>
        {
            var run = store.Remove(id) ?? store.Get(id);
            stdout.WriteLine($"Removed run {run.Id}{(run.Label is null ? "" : $" ({run.Label})")}.");
            return ExitCodes.Ok;
        });

    /// <summary>The text view of a stored run: what it is, its inputs, per rank the breakdown and MFU, and the top headroom.</summary>
    internal static void WriteRun(RunStore store, StoredRun run, TextWriter stdout)
    {
        stdout.WriteLine($"Run {run.Id}{(run.Label is null ? "" : $" \"{run.Label}\"")} · saved {run.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC · headroom {run.ToolVersion}"
            + $" · {run.Conventions} conventions");
        stdout.WriteLine();
        var inputs = new TextTable(["input", "bytes", "sha256"]);
        foreach (var f in store.LoadInputs(run.Id))
        {
            inputs.Add([f.Path, f.Bytes, f.Sha256]);
        }

        inputs.Write(stdout);
        stdout.WriteLine();
        var (_, ranks) = store.Query("SELECT rank, device, coalesce(hardware_id, ''), step_count, step_ns, window_ns, computation_ns, "
            + $"exposed_communication_ns, idle_ns, mfu FROM ranks WHERE run_id = {run.Id} ORDER BY rank");
        var table = new TextTable(["rank", "device", "hardware", "steps", "step time", "computation", "exposed comm", "idle", "MFU"]);
        foreach (var r in ranks)
        {
            var window = Math.Max(1L, (long)r[5]!);
            table.Add([r[0], r[1], r[2], r[3], Milliseconds((long)r[4]!), Percent((long)r[6]! / (double)window), Percent((long)r[7]! / (double)window),
                Percent((long)r[8]! / (double)window), r[9] is double m ? Percent(m) : ""]);
        }

        table.Write(stdout);
        var (_, items) = store.Query("SELECT rank, title, saving_ns_per_step FROM headroom_items "
            + $"WHERE run_id = {run.Id} ORDER BY saving_ns_per_step DESC, rank, ord LIMIT 5");
        if (items.Count > 0)
        {
            stdout.WriteLine();
            stdout.WriteLine("Top headroom (saving per step):");
            foreach (var i in items)
            {
                stdout.WriteLine($"  {Milliseconds((long)i[2]!),10}  {(i[0] is long rank ? $"rank {rank}: " : "job: ")}{i[1]}");
            }
        }

        stdout.WriteLine();
        stdout.WriteLine($"Full report: headroom runs show {run.Id} --json; tables: headroom sql (docs/store.md).");
    }

    private static string Milliseconds(long ns) => (ns / 1e6).ToString("0.000", CultureInfo.InvariantCulture) + " ms";

    private static string Percent(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
}
