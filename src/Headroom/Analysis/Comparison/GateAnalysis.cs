namespace Headroom.Analysis.Comparison;

/// <summary>What a CI gate watches.</summary>
public enum GateMetricKind
{
    /// <summary>Mean step time (higher is worse).</summary>
    StepTime,
    /// <summary>MFU (lower is worse).</summary>
    Mfu,
    /// <summary>Exposed communication per step (higher is worse).</summary>
    ExposedCommunication,
    /// <summary>Device time per step of the op named <see cref="GateMetric.OpName"/>, all its signatures (higher is worse).</summary>
    Op,
}

/// <summary>A gate metric: <c>step_time</c>, <c>mfu</c>, <c>exposed_comm</c> or <c>op:NAME</c>.</summary>
/// <param name="Kind">Which metric.</param>
/// <param name="OpName">The op's name for <see cref="GateMetricKind.Op"/>.</param>
public sealed record GateMetric(GateMetricKind Kind, string? OpName = null)
{
    /// <summary>Step time, the default.</summary>
    public static readonly GateMetric StepTime = new(GateMetricKind.StepTime);

    /// <summary>True when a higher value is a regression (all but MFU).</summary>
    public bool HigherIsWorse => Kind != GateMetricKind.Mfu;

    /// <summary>The metric as written on the command line.</summary>
    public override string ToString() => Kind switch
    {
        GateMetricKind.StepTime => "step_time",
        GateMetricKind.Mfu => "mfu",
        GateMetricKind.ExposedCommunication => "exposed_comm",
        _ => "op:" + OpName,
    };

    /// <summary>Parses <c>step_time</c>, <c>mfu</c>, <c>exposed_comm</c> or <c>op:NAME</c>.</summary>
    public static GateMetric? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text switch
        {
            "step_time" => StepTime,
            "mfu" => new GateMetric(GateMetricKind.Mfu),
            "exposed_comm" => new GateMetric(GateMetricKind.ExposedCommunication),
            _ when text.StartsWith("op:", StringComparison.Ordinal) && text.Length > 3 => new GateMetric(GateMetricKind.Op, text[3..]),
            _ => null,
        };
    }
}

/// <summary>A gate's verdict.</summary>
/// <param name="Metric">The metric gated on.</param>
/// <param name="Estimate">Its change, baseline against candidate, with the 95% interval.</param>
/// <param name="MaxRegression">The allowed regression, a fraction (0.03 for 3%).</param>
/// <param name="Regression">The relative change in the bad direction (positive = worse: slower, or lower MFU); null when the baseline is 0.</param>
/// <param name="SignificantRegression">The interval excludes 0 on the bad side.</param>
/// <param name="Fails">A significant regression larger than <paramref name="MaxRegression"/> (or from a baseline of 0): the gate fails.</param>
public sealed record GateResult(GateMetric Metric, DeltaEstimate Estimate, double MaxRegression, double? Regression, bool SignificantRegression, bool Fails);

/// <summary>The CI gate: fails only on a regression that is both significant and larger than the threshold. Pure.</summary>
public static class GateAnalysis
{
    /// <summary>The verdict for <paramref name="metric"/>; null when it cannot be compared (see <see cref="RunDiffAnalysis.Metric"/>).</summary>
    public static GateResult? Evaluate(ComparableRun baseline, ComparableRun candidate, GateMetric metric, double maxRegression)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return RunDiffAnalysis.Metric(baseline, candidate, metric) is { } e ? Verdict(metric, e, maxRegression) : null;
    }

    /// <summary>The verdict for an already computed change.</summary>
    public static GateResult Verdict(GateMetric metric, DeltaEstimate estimate, double maxRegression)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(estimate);
        var sign = metric.HigherIsWorse ? 1 : -1;
        var regression = estimate.Relative * sign;
        var significant = estimate.Significant == true && estimate.Delta * sign > 0;
        // From a baseline of 0 (an op the baseline never ran) any significant growth exceeds every threshold.
        return new GateResult(metric, estimate, maxRegression, regression, significant, significant && (regression is null || regression > maxRegression));
    }
}
