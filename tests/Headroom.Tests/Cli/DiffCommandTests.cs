using System.Text.Json;
using Headroom.Analysis.Comparison;
using Headroom.Cli.Commands;
using Headroom.Cli.Rendering;
using Headroom.Tests.Analysis.Comparison;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Cli;

/// <summary>Specification of <c>headroom diff</c> as a user sees it.</summary>
public sealed class DiffCommandTests
{
    private static readonly Lazy<(string Baseline, string Slower)> Synthetic = new(() =>
        (DiffTraces.Write(8, 0.03, 7), DiffTraces.Write(8, 0.03, 7, mmSlowdown: 0.3)));

    [Fact]
    public void The_terminal_view_says_what_changed_and_fits_100_columns()
    {
        // Given a run and the same run with aten::mm 30% slower
        var (a, b) = Synthetic.Value;

        // When diffed
        var (code, stdout, stderr) = CliRunner.Run("diff", a, b);

        // Then the summary has the step time, Δ, interval and verdict, and the slower op leads the table
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("slower, significant", stdout);
        Assert.Contains("95% CI [", stdout);
        Assert.Matches(@"aten::mm\s+\[\[64,64\],\[64,64\]\]\s+slower", stdout);
        Assert.Contains("Ops: 4 matched by signature (1 slower, 0 faster, 3 within noise) · 0 new · 0 removed", stdout);
        Assert.All(stdout.Split('\n'), line => Assert.True(line.TrimEnd().Length <= 100, line));
    }

    [Fact]
    public void Json_output_has_the_documented_fields_and_adds_up()
    {
        var (a, b) = Synthetic.Value;
        var (code, stdout, _) = CliRunner.Run("diff", a, b, "--json");
        Assert.Equal(0, code);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(("diff", 1), (root.GetProperty("kind").GetString(), root.GetProperty("schema_version").GetInt32()));
        var step = root.GetProperty("step_time_ns");
        Assert.True(step.GetProperty("significant").GetBoolean());
        Assert.True(step.GetProperty("ci_low").GetDouble() > 0);
        var d = root.GetProperty("decomposition_ns");
        Assert.Equal(d.GetProperty("step_delta").GetDouble(),
            d.GetProperty("ops").GetDouble() + d.GetProperty("idle").GetDouble() + d.GetProperty("overlap_and_rest").GetDouble(), 3);
        var ops = root.GetProperty("ops").EnumerateArray().ToList();
        Assert.Equal(4, ops.Count);
        Assert.Equal(("aten::mm", "slower"), (ops[0].GetProperty("name").GetString(), ops[0].GetProperty("change").GetString()));
        Assert.Equal(1, root.GetProperty("op_counts").GetProperty("slower").GetInt32());
        Assert.True(root.GetProperty("kernels_compared").GetBoolean());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("kernels").ValueKind);
    }

    [Fact]
    public void Across_vendors_the_view_says_kernels_are_not_compared()
    {
        var h100 = SharedData.Require("traces/kineto/tracelens-h100-bert-small-infer.json.gz");
        var mi300x = SharedData.Require("traces/kineto/tracelens-mi300x-bert-small-infer.json.gz");
        var (code, stdout, _) = CliRunner.Run("diff", h100, mi300x);
        Assert.Equal(0, code);
        Assert.Contains("Different vendors (NVIDIA → AMD): ops matched by name, shapes and dtypes; kernels not compared.", stdout);
        Assert.All(stdout.Split('\n').Where(l => !l.StartsWith("A: ", StringComparison.Ordinal) && !l.StartsWith("B: ", StringComparison.Ordinal)),
            line => Assert.True(line.TrimEnd().Length <= 100, line));
        Assert.Contains("no interval: a run has a single sample", stdout);
        Assert.DoesNotContain("Kernel changes", stdout);
        var json = JsonDocument.Parse(CliRunner.Run("diff", h100, mi300x, "--json").Stdout).RootElement;
        Assert.Equal(JsonValueKind.Null, json.GetProperty("kernels").ValueKind);
        Assert.Equal(16, json.GetProperty("op_counts").GetProperty("matched").GetInt32());
    }

    [Fact]
    public void Bad_input_is_one_line_and_exit_2()
    {
        var store = Path.Combine(Path.GetTempPath(), $"headroom-no-store-{Guid.NewGuid():N}.db");
        var (code, stdout, stderr) = CliRunner.Run("diff", "no-such-run", Synthetic.Value.Baseline, "--store", store);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal($"headroom: error: no-such-run: no such trace file or folder, and no run store at {store} for run ids and labels (--store PATH)", stderr.Trim());
        Assert.False(File.Exists(store)); // looking a run up never creates a store
    }

    [Fact]
    public void Runs_resolve_through_the_resolver_so_the_store_can_supply_them()
    {
        // Given a resolver that knows two labels (as the run store will)
        var (a, b) = Synthetic.Value;
        var runs = new Dictionary<string, ComparableRun> { ["main"] = DiffTraces.Load(a) with { Name = "main" }, ["pr-42"] = DiffTraces.Load(b) with { Name = "pr-42" } };
        var resolver = new RunResolver(label => runs.GetValueOrDefault(label));

        // When diffed and gated by label
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var diff = DiffCommand.Execute(new DiffSettings("main", "pr-42", Json: false, Top: 3), stdout, stderr, TerminalCapabilities.Plain, resolver);
        var gate = GateCommand.Execute(new GateSettings("main", "pr-42", 0.03, GateMetric.StepTime, Json: false), stdout, stderr, TerminalCapabilities.Plain, resolver);

        // Then the labels resolve, and the gate fails on the slowdown
        Assert.Equal((0, 1), (diff, gate));
        Assert.Contains("A: main", stdout.ToString());
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void A_multi_rank_folder_against_itself_has_one_sample_per_rank_and_step_and_no_change()
    {
        // Given the shipped 2-rank sample job (5 steps per rank) compared with itself
        var folder = RepositoryFiles.Sample();

        // When diffed and gated at 0%
        var (code, stdout, _) = CliRunner.Run("diff", folder, folder);
        var gate = CliRunner.Run("gate", "--baseline", folder, "--candidate", folder, "--max-regression", "0%");

        // Then each side has 10 samples, nothing changed, and the gate passes
        Assert.Equal(0, code);
        Assert.Contains("(2 ranks, 10 samples, h100-sxm)", stdout);
        Assert.Contains("Δ +0.00 ms (+0.0%)", stdout);
        Assert.Contains("no significant change", stdout);
        Assert.Contains("No op changed beyond noise.", stdout);
        Assert.Equal(0, gate.ExitCode);
        Assert.Contains("10 vs 10 samples", gate.Stdout);
    }
}
