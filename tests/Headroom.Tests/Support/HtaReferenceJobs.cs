using Xunit;

namespace Headroom.Tests.Support;

/// <summary>
/// The HTA reference jobs in shared/data/reference/hta as theory cases: one case per job, named by job. When the shared
/// data is absent a single placeholder case is yielded, whose test then skips (or fails in CI) with SharedData's message.
/// </summary>
internal static class HtaReferenceJobs
{
    /// <summary>The placeholder case used when the shared data is absent.</summary>
    public const string NoSharedData = "(shared data absent)";

    /// <summary>Jobs whose reference folder satisfies <paramref name="referenceDirMatches"/>, by reference name.</summary>
    public static TheoryData<string> Where(Func<string, bool> referenceDirMatches)
    {
        var data = new TheoryData<string>();
        if (SharedData.Root is not string root)
        {
            data.Add(NoSharedData);
            return data;
        }

        foreach (var (name, _) in SharedData.KinetoJobs())
        {
            if (referenceDirMatches(Path.Combine(root, "reference", "hta", name)))
            {
                data.Add(name);
            }
        }

        return data;
    }

    /// <summary>True when the CSV exists and has at least one data row.</summary>
    public static bool CsvHasRows(string path) => File.Exists(path) && CsvTable.Read(path).Rows.Count > 0;

    /// <summary>The reference folder of <paramref name="job"/>.</summary>
    public static string ReferenceDir(string job) => SharedData.Require(Path.Combine("reference", "hta", Name(job)));

    /// <summary>The trace file or rank folder of <paramref name="job"/>.</summary>
    public static string TracePath(string job)
    {
        SharedData.Require(); // skips (or fails in CI) when the shared data is absent
        var name = Name(job);
        var matches = SharedData.KinetoJobs().Where(j => j.Name == name).ToList();
        Assert.True(matches.Count == 1, $"no Kineto trace for reference job {name}");
        return matches[0].Path;
    }

    /// <summary>The job name, after skipping the placeholder case when the shared data is absent.</summary>
    public static string Name(string job)
    {
        if (job == NoSharedData)
        {
            SharedData.Require();
        }

        return job;
    }
}
