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
public sealed record RunResolver(Func<string, ComparableRun?>? Store = null) : IRunResolver
{
    /// <summary>
    /// The resolver <c>headroom diff</c> and <c>gate</c> use. STORE HOOK: once the run store exists, this becomes
    /// <c>new RunResolver(RunStore.LoadComparable)</c> (or a lambda opening the default store).
    /// </summary>
    public static RunResolver Default { get; } = new();

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

        if (Store?.Invoke(reference) is { } stored)
        {
            return stored;
        }

        stderr.WriteLine(Store is null
            ? $"headroom: error: {reference}: no such trace file or folder (run ids and labels need the run store)"
            : $"headroom: error: {reference}: no such trace file or folder, run id or label");
        return null;
    }
}
