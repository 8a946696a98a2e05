using System.Globalization;
using Headroom.Analysis;
using Headroom.Analysis.Opportunities;
using Headroom.Analysis.Roofline;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Analysis.Roofline;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Opportunities;

/// <summary>Headroom and MFU over every shared Kineto trace: finite, ranked, within the step, and consistent with the breakdown.</summary>
public sealed class HeadroomRealTraceTests
{
    public static TheoryData<string> Traces() => RooflineRealTraceTests.Traces();

    [Theory]
    [MemberData(nameof(Traces))]
    public void Savings_are_ranked_finite_and_the_partitioned_ones_fit_in_the_step(string trace)
    {
        if (SharedData.Root is null)
        {
            SharedData.Require("traces");
            return;
        }

        var load = TraceLoader.Load([SharedData.Require(Path.Combine("traces", "kineto", trace))]);
        Assert.NotNull(load.Run);
        var rank = TraceAnalysis.AnalyzeRank(load.Run.Ranks[0], new AnalysisOptions(), jobHasSeveralSteps: false, new DiagnosticBag());
        var h = rank.Headroom;
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{trace}: device {rank.Hardware.Spec?.Id ?? "none"}, MFU {rank.Mfu.Mfu:P2}, HFU {rank.Mfu.Hfu:P2}, {h.Steps} step(s) of {h.StepTimeNs / 1e6:0.###} ms"));
        foreach (var i in h.Items)
        {
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {i.SavingNsPerStep / 1e6,9:0.###} ms {i.ShareOfStep,6:P1} {i.Bound,-13} {i.Title}"));
        }

        if (rank.Overall.WindowNs == 0)
        {
            Assert.Empty(h.Items);
            return;
        }

        // Ranked, at most MaxItems, every saving positive, within the step, and every text present.
        Assert.InRange(h.Items.Count, 0, HeadroomAnalysis.MaxItems);
        Assert.Equal(h.Items.OrderByDescending(i => i.SavingNsPerStep).Select(i => i.SavingNsPerStep), h.Items.Select(i => i.SavingNsPerStep));
        foreach (var i in h.Items)
        {
            Assert.InRange(i.SavingNsPerStep, 1, h.StepTimeNs);
            Assert.True(double.IsFinite(i.ShareOfStep) && i.ShareOfStep is >= HeadroomAnalysis.MinimumShare and <= 1, i.Title);
            Assert.False(string.IsNullOrWhiteSpace(i.Title) || string.IsNullOrWhiteSpace(i.Suggestion) || string.IsNullOrWhiteSpace(i.Evidence));
            Assert.DoesNotContain("NaN", i.Title + i.Evidence, StringComparison.Ordinal);
            Assert.DoesNotContain("∞", i.Title + i.Evidence, StringComparison.Ordinal);
        }

        // Device idle, exposed communication and exposed copies are disjoint parts of the breakdown: together within the step.
        var partitioned = h.Items.Where(i => i.Kind is HeadroomKind.DeviceIdle or HeadroomKind.ExposedCommunication or HeadroomKind.ExposedCopy)
            .Sum(i => i.SavingNsPerStep);
        Assert.InRange(partitioned, 0, h.StepTimeNs + h.Items.Count);
        if (h.Items.SingleOrDefault(i => i.Kind == HeadroomKind.DeviceIdle) is { } idle)
        {
            Assert.Equal(Math.Round((double)rank.Overall.IdleNs / h.Steps), idle.SavingNsPerStep);
        }

        // Exposed time never exceeds the op's own time.
        Assert.All(rank.Roofline.Ops, o => Assert.InRange(o.ExposedNs, 0, o.TimeNs));

        // MFU: finite, HFU ≥ MFU, and no step above 100% of the peak except where the roofline explains it (Winograd/FFT).
        foreach (var s in rank.Mfu.Steps)
        {
            Assert.True(s.Mfu is null || (double.IsFinite(s.Mfu.Value) && s.Mfu >= 0));
            Assert.True(s.Hfu >= s.Mfu || s.Mfu is null);
            if (s.Mfu > 1)
            {
                Assert.Contains(rank.Roofline.Ops, o => o.Note == RooflineAnalysis.WinogradReason);
            }
        }
    }
}
