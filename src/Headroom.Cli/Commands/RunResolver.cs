using Headroom.Analysis.Comparison;
using Headroom.Cli.Rendering;

namespace Headroom.Cli.Commands;

/// <summary>Turns the A and B of <c>diff</c> and <c>gate</c> (a trace path, a run id or a label) into comparable runs.</summary>
public interface IRunResolver
{
    /// <summary>The run <paramref name="reference"/> names; null after writing one <c>headroom: error:</c> line.</summary>
    ComparableRun? Resolve(string reference, TextWriter stderr, TerminalCapabilities terminal);
}

/// <summary>
/// The resolver of the command line: an existing file or folder is analysed as traces (one trace per rank in a folder);
/// anything else is looked up in <see cref="Store"/> (run ids and labels).
/// </summary>
/// <param name="Store">Looks a run id or label up in the run store; null means no store, so only paths resolve.</param>
/// <param name="StoreMissing">The store's path when it does not exist (said in the error for a reference found nowhere).</param>
public sealed record RunResolver(Func<string, ComparableRun?>? Store = null, string? StoreMissing = null) : IRunResolver
{
    /// <summary>The resolver <c>headroom diff</c> and <c>gate</c> use by default: paths, then the default run store.</summary>
    public static RunResolver Default { get; } = ForStore(null);

    /// <summary>
    /// Paths, then run ids and labels in the store at <paramref name="storePath"/> (the default store when null). A store
    /// that is not there resolves nothing; a damaged or foreign one is reported (its <see cref="global::Headroom.Store.StoreException"/>).
    /// </summary>
    public static RunResolver ForStore(string? storePath)
    {
        var file = storePath ?? global::Headroom.Store.RunStore.DefaultPath;
        return File.Exists(file)
            ? new(reference =>
            {
                using var store = global::Headroom.Store.RunStore.Open(file, readOnly: true);
                return store.Find(reference) is null ? null : store.LoadComparable(reference);
            })
            : new(null, file);
    }

    /// <inheritdoc />
    public ComparableRun? Resolve(string reference, TextWriter stderr, TerminalCapabilities terminal)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(stderr);
        if (File.Exists(reference) || Directory.Exists(reference))
        {
            var settings = new AnalyzeSettings([reference], Json: false, Rank: null, Steps: null, HtaCompatible: false, Top: 25, Output: null);
            return AnalyzeCommand.Analyze(settings, stderr, terminal, comparable: true) is { } result
                ? ComparableRun.From(result, reference, Report.ToolInfo.Version)
                : null;
        }

        try
        {
            if (Store?.Invoke(reference) is { } stored)
            {
                return stored;
            }
        }
        catch (global::Headroom.Store.StoreException e)
        {
            stderr.WriteLine($"headroom: error: {e.Message}");
            return null;
        }

        stderr.WriteLine(Store is not null
            ? $"headroom: error: {reference}: no such trace file or folder, run id or label"
            : StoreMissing is { } missing
                ? $"headroom: error: {reference}: no such trace file or folder, and no run store at {missing} for run ids and labels (--store PATH)"
                : $"headroom: error: {reference}: no such trace file or folder (run ids and labels need the run store)");
        return null;
    }
}
