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
    private RunFingerprint? _fingerprint;

    private RunSaving(AnalyzeSettings settings, RunStore store)
    {
        _settings = settings;
        _store = store;
    }

    /// <summary>Opens the store; on a bad store writes the one error line and returns null.</summary>
    public static RunSaving? Open(AnalyzeSettings settings, TextWriter stderr)
    {
        try
        {
            return new RunSaving(settings, RunStore.Open(settings.Store ?? RunStore.DefaultPath));
        }
        catch (StoreException e)
        {
            stderr.WriteLine($"headroom: error: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// Hashes the inputs and, unless <c>--no-reuse</c>, looks for a stored run of the same key. Returns an exit code when
    /// the command is finished (the stored result was written, or the store failed), else null: analyse. An input that
    /// cannot be read is left to the analysis to report.
    /// </summary>
    public int? TryReuse(TextWriter stdout, TextWriter stderr)
    {
        var s = _settings;
        var options = string.Create(CultureInfo.InvariantCulture, $"hta={s.HtaCompatible};steps={s.Steps};rank={s.Rank};hardware={s.Hardware};top={s.Top}");
        _fingerprint = RunFingerprint.Compute(s.Paths, ToolInfo.Version, options, s.HardwareFile);
        if (_fingerprint is null || s.NoReuse)
        {
            return null;
        }

        try
        {
            return _store.FindReusable(_fingerprint.Key) is { } run ? Reuse(s, _store, run, stdout, stderr) : null;
        }
        catch (StoreException e)
        {
            stderr.WriteLine($"headroom: error: {e.Message}");
            return ExitCodes.BadInput;
        }
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

        if (_fingerprint is null)
        {
            stderr.WriteLine("headroom: error: an input changed or vanished while it was analysed; the run was not saved");
            return ExitCodes.BadInput;
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
