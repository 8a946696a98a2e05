namespace Headroom.Store;

/// <summary>One row of the <c>runs</c> table: what <c>headroom runs list</c> shows (docs/store.md).</summary>
/// <param name="Id">Run id, increasing.</param>
/// <param name="Label">The <c>--label</c> it was saved with, or null.</param>
/// <param name="CreatedAt">When it was saved (UTC).</param>
/// <param name="ToolVersion">Headroom version that analysed it.</param>
/// <param name="Conventions">"headroom" or "hta" (<c>--hta-compatible</c>).</param>
/// <param name="RankCount">Ranks analysed.</param>
/// <param name="InputCount">Input files.</param>
/// <param name="InputBytes">Their total size, bytes.</param>
/// <param name="Devices">Distinct device names, comma-separated.</param>
/// <param name="Hardware">Distinct catalog device ids, comma-separated ("" when none matched).</param>
/// <param name="StepCount">Analysed steps of the rank with the most.</param>
/// <param name="StepNs">Mean step time of the slowest rank, ns; null without ranks.</param>
/// <param name="Mfu">Mean MFU over the ranks that have one; null when none has.</param>
public sealed record StoredRun(long Id, string? Label, DateTimeOffset CreatedAt, string ToolVersion, string Conventions, int RankCount, int InputCount,
    long InputBytes, string Devices, string Hardware, int StepCount, long? StepNs, double? Mfu)
{
    /// <summary>The label, else "run ID": how a stored run is named when compared.</summary>
    public string DisplayName => Label ?? $"run {Id}";
}

/// <summary>
/// A problem with the store file itself (not SQLite, not a Headroom store, a newer schema, damaged, unwritable) or a run
/// that is not in it. The message is one line: what is wrong, then how to get out of it.
/// </summary>
public sealed class StoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StoreException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public StoreException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public StoreException()
    {
    }
}
