using Headroom.Analysis;
using Headroom.Analysis.Distributed;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Distributed;

/// <summary>Invariants of the idle-time and launch analyses under Headroom's own conventions, on every real Kineto job.</summary>
public sealed class DistributedDefaultsOnRealTracesTests
{
    public static TheoryData<string> Jobs() => HtaReference.JobsWhere(Directory.Exists);

    [Theory]
    [MemberData(nameof(Jobs))]
    public void Idle_gaps_are_positive_and_their_categories_add_up_to_each_streams_idle_time(string job)
    {
        foreach (var activities in Ranks(job))
        {
            var idle = IdleTimeAnalysis.Compute(activities);
            Assert.False(idle.HtaConventions);
            foreach (var stream in idle.Streams)
            {
                // Every stream has the three categories; gaps are positive; the categories partition the stream's idle time
                Assert.Equal([IdleCategory.HostWait, IdleCategory.KernelWait, IdleCategory.Other], stream.Categories.Select(c => c.Category));
                Assert.Equal(stream.IdleNs, stream.Categories.Sum(c => c.IdleNs));
                Assert.True(stream.Categories.Sum(c => c.Intervals.Count) < stream.ActivityCount, $"{job}: more gaps than activities on stream {stream.Stream}");
                Assert.All(stream.Categories.Where(c => c.Intervals.Count > 0), c => Assert.True(c.Intervals.MinNs > 0, $"{job}: {c.Category} min {c.Intervals.MinNs}"));
                var kernelWait = stream.Get(IdleCategory.KernelWait)!.Intervals;
                Assert.True(kernelWait.Count == 0 || kernelWait.MaxNs < IdleTimeAnalysis.KernelWaitThresholdNs);
                var other = stream.Get(IdleCategory.Other)!.Intervals;
                Assert.True(other.Count == 0 || other.MinNs >= IdleTimeAnalysis.KernelWaitThresholdNs);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Jobs))]
    public void Launch_rows_have_non_negative_delays_and_every_launched_activity_is_accounted_for(string job)
    {
        foreach (var activities in Ranks(job))
        {
            var launches = LaunchAnalysis.Compute(activities);
            var gpu = activities.Trace.Gpu;
            var launched = 0;
            for (var i = 0; i < activities.Count; i++)
            {
                launched += gpu.Launcher[activities.Event[i]] >= 0 ? 1 : 0;
            }

            // Each activity with a recorded launch is a row or counted as not launched by a launch call
            Assert.Equal(launched, launches.Rows.Count + launches.Summary.UnrecognisedLaunchActivities);
            Assert.All(launches.Rows, r => Assert.True(r.LaunchDelayNs >= 0 && r.CpuDurationNs >= 0 && r.GpuDurationNs >= 0));
            Assert.Equal(launches.Summary.LaunchCalls, launches.Rows.Count(r => r.FirstOfLaunch));
            Assert.True(launches.Outliers.TopDelays.Count <= LaunchAnalysis.TopDelayCount);
            Assert.Equal(launches.Outliers.TopDelays.Select(o => o.Row.LaunchDelayNs).OrderDescending(), launches.Outliers.TopDelays.Select(o => o.Row.LaunchDelayNs));
        }
    }

    private static IEnumerable<RankActivities> Ranks(string job)
    {
        var dir = HtaReference.ReferenceDir(job);
        Assert.True(Directory.Exists(dir));
        var path = SharedData.KinetoJobs().Single(j => j.Name == job).Path;
        var load = TraceLoader.Load([path]);
        Assert.NotNull(load.Run);
        return load.Run.Ranks.Select(r => RankActivities.Select(r, htaCompatible: false, jobHasSeveralSteps: false, new DiagnosticBag())).ToList();
    }
}
