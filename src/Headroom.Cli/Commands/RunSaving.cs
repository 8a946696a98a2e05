using System.Globalization;
using Headroom.Analysis;
using Headroom.Report;
using Headroom.Store;

namespace Headroom.Cli.Commands;

/// <summary>
/// The store's part of <c>headroom analyze</c> (with <c>--save</c> or <c>--store</c>): hash the inputs, reuse a stored
/// result of the same traces, version and options instead of analysing again, and save the new run.
/// </summary>
internal sealed class RunSaving : IDisposable
{
    private readonly AnalyzeSettings _settings;
    private readonly RunStore _store;
    private readonly RunFingerprint _fingerprint;

    private RunSaving(AnalyzeSettings settings, RunStore store, RunFingerprint fingerprint)
    {
        _settings = settings;
        _store = store;
        _fingerprint = fingerprint;
    }

    /// <summary>
    /// Opens the store and looks for a reusable run. Returns an exit code when the command is finished (the stored result
    /// was written, or the store is unusable), else null with <paramref name="saving"/> set (null too when an input
    /// cannot be read: the analysis then reports it).
    /// </summary>
    public static int? Start(AnalyzeSettings settings, TextWriter stdout, TextWriter stderr, out RunSaving? saving)
    {
        saving = null;
        RunStore store;
        try
        {
            store = RunStore.Open(settings.Store ?? RunStore.DefaultPath);
        }
        catch (StoreException e)
        {
            stderr.WriteLine($"headroom: error: {e.Message}");
            return ExitCodes.BadInput;
        }

        var options = string.Create(CultureInfo.InvariantCulture,
            $"hta={settings.HtaCompatible};steps={settings.Steps};rank={settings.Rank};hardware={settings.Hardware};top={settings.Top}");
        if (RunFingerprint.Compute(settings.Paths, ToolInfo.Version, options, settings.HardwareFile) is not { } fingerprint)
        {
            store.Dispose();
            return null;
        }

        try
        {
            if (!settings.NoReuse && store.FindReusable(fingerprint.Key) is { } run)
            {
                using (store)
                {
                    return Reuse(settings, store, run, stdout, stderr);
                }
            }
        }
        catch (StoreException e)
        {
            store.Dispose();
            stderr.WriteLine($"headroom: error: {e.Message}");
            return ExitCodes.BadInput;
        }

        saving = new RunSaving(settings, store, fingerprint);
        return null;
    }

    private static int Reuse(AnalyzeSettings settings, RunStore store, StoredRun run, TextWriter stdout, TextWriter stderr)
    {
        stderr.WriteLine($"headroom: reusing run {run.Id}{(run.Label is null ? "" : $" ({run.Label})")} (same traces, same version {run.ToolVersion}, "
            + $"same options; analysed {run.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC); pass --no-reuse to analyse again");
        try
        {
            using var output = settings.Output is null ? null : new StreamWriter(settings.Output);
            var writer = output ?? stdout;
            if (settings.Json)
            {
                writer.Write(store.LoadReportJson(run.Id));
                if (output is null)
                {
                    writer.WriteLine();
                }
            }
            else
            {
                RunsCommand.WriteRun(store, run, writer);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"headroom: error: {settings.Output}: cannot write: {e.Message}");
            return ExitCodes.BadInput;
        }

        if (settings.Save && settings.Label is { } label && label != run.Label)
        {
            var copy = store.CopyAs(run.Id, label);
            stderr.WriteLine($"headroom: saved run {copy} ({label}) to {store.Path}, a copy of run {run.Id}");
        }

        return ExitCodes.Ok;
    }

    /// <summary>Saves the analysed run when <c>--save</c> was given; returns the exit code.</summary>
    public int Finish(AnalysisResult result, AnalyzeReport report, TextWriter stderr)
    {
        if (!_settings.Save)
        {
            return ExitCodes.Ok;
        }

        using var buffer = new MemoryStream();
        JsonReportRenderer.Write(report, buffer);
        try
        {
            var id = _store.Save(result, System.Text.Encoding.UTF8.GetString(buffer.ToArray()), _settings.Label, _fingerprint, ToolInfo.Version);
            stderr.WriteLine($"headroom: saved run {id}{(_settings.Label is null ? "" : $" ({_settings.Label})")} to {_store.Path}");
            return ExitCodes.Ok;
        }
        catch (StoreException e)
        {
            stderr.WriteLine($"headroom: error: {e.Message}");
            return ExitCodes.BadInput;
        }
    }

    public void Dispose() => _store.Dispose();
}
