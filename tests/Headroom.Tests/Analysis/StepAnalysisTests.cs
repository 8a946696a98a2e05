using Headroom.Analysis;
using Headroom.Ingest;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis;

/// <summary>Specification of step detection and of the mapping of steps onto device time.</summary>
public sealed class StepAnalysisTests
{
    private static KinetoTraceBuilder TwoSteps() => new KinetoTraceBuilder()
        // Step 1 (host 0..100) launches two kernels; step 2 (host 100..200) launches one.
        .Step(1, 0, 100)
        .LaunchedKernel("aten::mm", "volta_sgemm_64x64_nt", 1, 10, 50, 30)
        .LaunchedKernel("aten::add_", "vectorized_elementwise_kernel", 2, 40, 90, 20)
        .Step(2, 100, 100)
        .LaunchedKernel("aten::mm", "volta_sgemm_64x64_nt", 3, 110, 150, 30);

    [Fact]
    public void Maps_each_step_to_the_device_work_it_launched()
    {
        var run = TraceLoader.Load([TwoSteps().WriteTemp()]).Run!;
        var steps = StepAnalysis.Find(run.Ranks[0]);
        Assert.Equal([1L, 2L], steps.Select(s => s.Number));
        Assert.Equal([2, 1], steps.Select(s => s.ActivityCount));
        Assert.Equal(50_000, steps[0].GpuStartNs);
        Assert.Equal(110_000, steps[0].GpuEndNs);
        Assert.Equal(150_000, steps[1].GpuStartNs);
        Assert.Equal(180_000, steps[1].GpuEndNs);
    }

    [Fact]
    public void Step_windows_tile_the_device_timeline()
    {
        // Step 1's window runs until step 2's first kernel starts, so the idle gap 110..150 is step 1's.
        var run = TraceLoader.Load([TwoSteps().WriteTemp()]).Run!;
        var result = TraceAnalysis.Analyze(run, new AnalysisOptions());
        var steps = result.Ranks[0].Steps;
        Assert.Equal(100_000, steps[0].Breakdown.WindowNs);
        Assert.Equal(50_000, steps[0].Breakdown.IdleNs); // gaps 80..90 and 110..150
        Assert.Equal(30_000, steps[1].Breakdown.WindowNs);
        Assert.Equal(result.Ranks[0].Overall.WindowNs, steps.Sum(s => s.Breakdown.WindowNs));
    }

    [Theory]
    [InlineData("2", 1)]
    [InlineData("1..2", 2)]
    [InlineData("2..", 1)]
    [InlineData("..1", 1)]
    public void Steps_option_selects_by_number(string range, int expected)
    {
        Assert.True(StepRange.TryParse(range, out var parsed));
        var run = TraceLoader.Load([TwoSteps().WriteTemp()]).Run!;
        var result = TraceAnalysis.Analyze(run, new AnalysisOptions(Steps: parsed));
        Assert.Equal(expected, result.Ranks[0].Steps.Count);
    }

    [Fact]
    public void Selecting_steps_that_do_not_exist_says_so()
    {
        var run = TraceLoader.Load([TwoSteps().WriteTemp()]).Run!;
        var result = TraceAnalysis.Analyze(run, new AnalysisOptions(Steps: new StepRange(7, 9)));
        Assert.Equal(0, result.Ranks[0].Overall.WindowNs);
        var d = Assert.Single(result.Diagnostics, d => d.Code == "steps-not-found");
        Assert.Contains("steps: 1, 2", d.Message);
    }

    [Theory]
    [InlineData("ProfilerStep#12", 12)]
    [InlineData("ProfilerStep#0", 0)]
    [InlineData("ProfilerStep#", -1)]
    [InlineData("ProfilerStep#x", -1)]
    [InlineData("Optimizer.step#SGD.step", -1)]
    public void Reads_the_step_number_from_the_annotation(string name, long expected) =>
        Assert.Equal(expected, StepAnalysis.StepNumber(name));

    [Theory]
    [InlineData("abc")]
    [InlineData("5..3")]
    [InlineData("-1")]
    [InlineData("")]
    public void Rejects_malformed_step_ranges(string text) => Assert.False(StepRange.TryParse(text, out _));
}
