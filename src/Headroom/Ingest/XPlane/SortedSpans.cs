namespace Headroom.Ingest.XPlane;

/// <summary>Search over spans sorted by start.</summary>
internal static class SortedSpans
{
    /// <summary>Index of the last of <paramref name="count"/> spans sorted by start (<paramref name="startOf"/>) that starts at or before <paramref name="time"/>; -1 when none does.</summary>
    public static int LastStartingBy(int count, Func<int, long> startOf, long time)
    {
        int lo = 0, hi = count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (startOf(mid) <= time)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
