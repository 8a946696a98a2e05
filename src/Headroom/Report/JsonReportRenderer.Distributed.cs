using System.Text.Json;
using Headroom.Analysis.Breakdown;
using Headroom.Analysis.Distributed;

namespace Headroom.Report;

/// <summary>The distributed sections: per rank <c>overlap</c>, <c>idle</c>, <c>launch</c>; per job <c>collectives</c>, <c>stragglers</c>.</summary>
public static partial class JsonReportRenderer
{
    /// <summary>Per-instance detail is kept for at most this many collective instances (the costliest by total wait).</summary>
    public const int MaxCollectiveInstances = 200;

    /// <summary>Each instance lists every rank's arrival only up to this many ranks.</summary>
    public const int MaxInstanceRanks = 64;

    private static void WriteOverlap(Utf8JsonWriter w, GpuTimeBreakdown b)
    {
        w.WriteStartObject("overlap");
        WriteNullableDouble(w, "communication_overlap_pct", b.CommunicationOverlapPercent is { } p ? Math.Round(p, 2) : null);
        w.WriteNumber("communication_total_ns", b.CommunicationTotalNs);
        w.WriteNumber("communication_overlapped_ns", b.CommunicationOverlappedNs);
        w.WriteNumber("exposed_communication_ns", b.CommunicationNs);
        w.WriteEndObject();
    }

    private static void WriteIdle(Utf8JsonWriter w, IdleTimeResult idle)
    {
        w.WriteStartObject("idle");
        w.WriteString("conventions", idle.HtaConventions ? "hta" : "headroom");
        w.WriteNumber("kernel_wait_threshold_ns", idle.KernelWaitThresholdNs);
        w.WriteNumber("total_idle_ns", idle.TotalIdleNs);
        foreach (var c in Enum.GetValues<IdleCategory>())
        {
            w.WriteNumber($"{IdleName(c)}_ns", idle.IdleNs(c));
        }

        w.WriteStartArray("streams");
        foreach (var s in idle.Streams)
        {
            w.WriteStartObject();
            w.WriteNumber("device", s.Device);
            w.WriteNumber("stream", s.Stream);
            w.WriteNumber("activities", s.ActivityCount);
            w.WriteNumber("idle_ns", s.IdleNs);
            w.WriteStartArray("categories");
            foreach (var c in s.Categories)
            {
                w.WriteStartObject();
                w.WriteString("category", IdleName(c.Category));
                w.WriteNumber("idle_ns", c.IdleNs);
                WriteNullableDouble(w, "ratio", c.Ratio);
                w.WritePropertyName("intervals");
                WriteStats(w, c.Intervals);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>host_wait, kernel_wait, other (HTA's names).</summary>
    public static string IdleName(IdleCategory category) => category switch
    {
        IdleCategory.HostWait => "host_wait",
        IdleCategory.KernelWait => "kernel_wait",
        _ => "other",
    };

    private static void WriteLaunch(Utf8JsonWriter w, LaunchResult launch)
    {
        var s = launch.Summary;
        w.WriteStartObject("launch");
        w.WriteString("conventions", launch.HtaConventions ? "hta" : "headroom");
        w.WriteNumber("count", s.Count);
        w.WriteNumber("launch_calls", s.LaunchCalls);
        w.WritePropertyName("cpu_duration");
        WriteStats(w, s.CpuDuration);
        w.WritePropertyName("gpu_duration");
        WriteStats(w, s.GpuDuration);
        w.WritePropertyName("launch_delay");
        WriteStats(w, s.LaunchDelay);
        w.WriteNumber("launch_bound_count", s.LaunchBoundCount);
        WriteNullableDouble(w, "launch_bound_share", s.LaunchBoundShare);
        w.WriteNumber("launch_bound_gpu_ns", s.LaunchBoundGpuNs);
        w.WriteNumber("unrecognised_launch_activities", s.UnrecognisedLaunchActivities);
        w.WriteStartObject("outliers");
        WriteNullableDouble(w, "fence_ns", launch.Outliers.FenceNs);
        w.WriteNumber("count", launch.Outliers.Count);
        w.WriteNumber("delay_ns", launch.Outliers.DelayNs);
        w.WriteStartArray("top_delays");
        foreach (var o in launch.Outliers.TopDelays)
        {
            w.WriteStartObject();
            w.WriteString("name", o.Name);
            w.WriteString("call", o.Call);
            w.WriteNumber("correlation", o.Row.Correlation);
            w.WriteNumber("cpu_duration_ns", o.Row.CpuDurationNs);
            w.WriteNumber("gpu_duration_ns", o.Row.GpuDurationNs);
            w.WriteNumber("launch_delay_ns", o.Row.LaunchDelayNs);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteCollectives(Utf8JsonWriter w, CollectiveAnalysisResult? c)
    {
        if (c is null)
        {
            w.WriteNull("collectives");
            return;
        }

        w.WriteStartObject("collectives");
        w.WriteBoolean("reliable", c.Reliable);
        w.WriteNumber("reference_rank", c.Clock.ReferenceRank);
        w.WriteNumber("max_clock_skew_ns", c.Clock.MaxSkewNs);
        w.WriteStartArray("clock");
        foreach (var r in c.Clock.Ranks)
        {
            w.WriteStartObject();
            w.WriteNumber("rank", r.Rank);
            w.WriteNumber("offset_ns", r.OffsetNs);
            w.WriteNumber("mad_ns", r.MadNs);
            w.WriteNumber("range_ns", r.RangeNs);
            w.WriteNumber("samples", r.Samples);
            w.WriteBoolean("aligned", r.Aligned);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("missing_ranks");
        foreach (var r in c.Match.MissingRanks)
        {
            w.WriteNumberValue(r);
        }

        w.WriteEndArray();
        w.WriteStartArray("by_collective");
        foreach (var s in c.ByCollective)
        {
            w.WriteStartObject();
            w.WriteString("process_group", s.ProcessGroup);
            w.WriteString("name", s.Name);
            w.WriteNumber("instances", s.Instances);
            w.WriteNumber("message_bytes", s.MessageBytes);
            w.WriteNumber("transfer_ns", s.TransferNs);
            w.WriteNumber("median_transfer_ns", s.MedianTransferNs);
            w.WriteNumber("wait_ns", s.WaitNs);
            w.WriteNumber("max_arrival_spread_ns", s.MaxArrivalSpreadNs);
            WriteNullableDouble(w, "algbw_gbps", s.AlgorithmBandwidthGBps);
            WriteNullableDouble(w, "busbw_gbps", s.BusBandwidthGBps);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("instances_total", c.Instances.Count);
        w.WriteStartArray("instances");
        foreach (var i in c.Instances.OrderByDescending(i => i.TotalWaitNs).ThenBy(i => i.LastArrivalNs).Take(MaxCollectiveInstances).OrderBy(i => i.LastArrivalNs))
        {
            w.WriteStartObject();
            w.WriteString("process_group", i.ProcessGroup);
            w.WriteString("name", i.Name);
            w.WriteString("matched_by", Snake(i.MatchedBy.ToString()));
            w.WriteNumber("number", i.Number);
            w.WriteNumber("step", i.Step);
            w.WriteNumber("group_size", i.GroupSize);
            w.WriteNumber("message_bytes", i.MessageBytes);
            w.WriteNumber("first_arrival_ns", i.FirstArrivalNs);
            w.WriteNumber("last_arrival_ns", i.LastArrivalNs);
            w.WriteNumber("last_rank", i.LastRank);
            w.WriteNumber("arrival_spread_ns", i.ArrivalSpreadNs);
            w.WriteNumber("total_wait_ns", i.TotalWaitNs);
            w.WriteNumber("transfer_ns", i.TransferNs);
            WriteNullableDouble(w, "algbw_gbps", i.AlgorithmBandwidthGBps);
            WriteNullableDouble(w, "busbw_gbps", i.BusBandwidthGBps);
            if (i.Ranks.Count <= MaxInstanceRanks)
            {
                w.WriteStartArray("ranks");
                foreach (var p in i.Ranks)
                {
                    w.WriteStartObject();
                    w.WriteNumber("rank", p.Rank);
                    w.WriteNumber("arrival_ns", p.ArrivalNs);
                    w.WriteNumber("end_ns", p.EndNs);
                    w.WriteNumber("wait_ns", p.WaitNs);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteStragglers(Utf8JsonWriter w, CollectiveAnalysisResult? c)
    {
        if (c is null)
        {
            w.WriteNull("stragglers");
            return;
        }

        var s = c.Stragglers;
        w.WriteStartObject("stragglers");
        w.WriteBoolean("reliable", c.Reliable);
        w.WriteString("rule", s.Rule);
        w.WriteNumber("reference_time_ns", s.ReferenceTimeNs);
        w.WriteString("reference_time", s.ReferenceTime);
        w.WriteNumber("instances", s.Instances);
        w.WriteStartArray("named");
        foreach (var r in s.Stragglers)
        {
            w.WriteNumberValue(r);
        }

        w.WriteEndArray();
        w.WriteStartArray("ranks");
        foreach (var r in s.Ranks)
        {
            w.WriteStartObject();
            w.WriteNumber("rank", r.Rank);
            w.WriteNumber("instances", r.Instances);
            w.WriteNumber("last_count", r.LastCount);
            WriteNullableDouble(w, "last_share", r.LastShare);
            w.WriteNumber("mean_lateness_ns", r.MeanLatenessNs);
            w.WriteNumber("cost_ns", r.CostNs);
            w.WriteNumber("mean_delay_when_last_ns", r.MeanDelayWhenLastNs);
            WriteNullableDouble(w, "cost_share", r.CostShare);
            w.WriteBoolean("is_straggler", r.IsStraggler);
            w.WriteString("reason", r.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        var spread = c.StepSpread;
        w.WriteStartObject("step_time");
        w.WriteNumber("slowest_rank", spread.SlowestRank);
        w.WriteNumber("rank_mean_spread_ns", spread.RankMeanSpreadNs);
        WriteNullableDouble(w, "rank_mean_cv", spread.RankMeanCoefficientOfVariation);
        w.WriteNumber("total_step_time_ns", spread.TotalStepTimeNs);
        w.WriteStartArray("ranks");
        foreach (var r in spread.Ranks)
        {
            w.WriteStartObject();
            w.WriteNumber("rank", r.Rank);
            w.WriteNumber("steps", r.Steps);
            w.WriteNumber("mean_ns", r.MeanNs);
            w.WriteNumber("slowest_count", r.SlowestCount);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("steps");
        foreach (var step in spread.Steps)
        {
            w.WriteStartObject();
            w.WriteNumber("number", step.Number);
            w.WriteNumber("min_ns", step.MinNs);
            w.WriteNumber("max_ns", step.MaxNs);
            w.WriteNumber("mean_ns", step.MeanNs);
            w.WriteNumber("spread_ns", step.SpreadNs);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Cost checks written per rank (disagreements first).</summary>
    private const int MaxCostChecks = 200;

    private static void WriteRoofline(Utf8JsonWriter w, Analysis.Roofline.RooflineResult r)
    {
        w.WriteStartObject("roofline");
        if (r.Device is { } device)
        {
            w.WriteString("device", device.Id);
            w.WriteNumber("memory_bandwidth_bytes_per_s", device.MemoryBandwidth.BytesPerSecond);
        }
        else
        {
            w.WriteNull("device");
            w.WriteNull("memory_bandwidth_bytes_per_s");
        }

        WriteNullableDouble(w, "cost_coverage", r.Coverage);
        w.WriteNumber("computation_ns", r.ComputationTimeNs);
        w.WriteNumber("covered_computation_ns", r.CoveredComputationTimeNs);
        WriteNullableDouble(w, "cost_coverage_where_shapes_recorded", r.CoverageWhereShapesRecorded);
        w.WriteNumber("shaped_computation_ns", r.ShapedComputationTimeNs);
        w.WriteStartArray("notes");
        foreach (var n in r.Notes)
        {
            w.WriteStringValue(n);
        }

        w.WriteEndArray();
        w.WriteStartArray("ops");
        foreach (var o in r.Ops)
        {
            w.WriteStartObject();
            w.WriteString("name", o.Name);
            w.WriteString("input_dims", o.InputDims);
            w.WriteString("input_types", o.InputTypes);
            w.WriteString("dtype", o.DataType);
            w.WriteString("unit", o.Unit.ToString().ToLowerInvariant());
            w.WriteNumber("count", o.Count);
            w.WriteNumber("kernels", o.Kernels);
            WritePlacement(w, o.Flops, o.Bytes, o.TimeNs, o.ExposedNs, o.Intensity, o.AchievedFlopsPerSecond, o.AchievedBytesPerSecond,
                o.PeakFlopsPerSecond, o.Peak, o.CeilingFlopsPerSecond, o.Efficiency, o.Bound);
            w.WriteBoolean("above_roofline", o.AboveRoofline);
            w.WriteBoolean("model_flops_above_hardware_flops", o.ModelFlopsAboveHardwareFlops);
            w.WriteString("note", o.Note);
            w.WriteString("formula", o.Formula);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("uncovered");
        foreach (var u in r.Uncovered)
        {
            w.WriteStartObject();
            w.WriteString("category", CategoryName(u.Category));
            w.WriteNumber("kernels", u.Kernels);
            w.WriteNumber("time_ns", u.TimeNs);
            w.WriteString("bound", u.Bound.ToString().ToLowerInvariant());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("groups");
        foreach (var g in r.Groups)
        {
            w.WriteStartObject();
            w.WriteString("category", CategoryName(g.Category));
            w.WriteNumber("calls", g.Calls);
            w.WriteNumber("kernels", g.Kernels);
            WritePlacement(w, g.Flops, g.Bytes, g.TimeNs, g.ExposedNs, g.Intensity, g.AchievedFlopsPerSecond, g.AchievedBytesPerSecond,
                g.PeakFlopsPerSecond, g.Peak, g.CeilingFlopsPerSecond, g.Efficiency, g.Bound);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("no_estimate");
        foreach (var n in r.NoEstimates)
        {
            w.WriteStartObject();
            w.WriteString("name", n.Name);
            w.WriteString("reason_kind", Snake(n.Kind.ToString()));
            w.WriteNumber("calls", n.Calls);
            w.WriteString("reason", n.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("cost_checks");
        foreach (var c in r.CostChecks.Take(MaxCostChecks))
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteString("opcode", c.Opcode);
            WriteNullableDouble(w, "reported_flops", c.ReportedFlops);
            WriteNullableDouble(w, "reported_bytes", c.ReportedBytes);
            WriteNullableDouble(w, "shape_flops", c.ShapeFlops);
            WriteNullableDouble(w, "shape_bytes", c.ShapeBytes);
            w.WriteBoolean("disagrees", c.Disagrees);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>A point on the roofline: FLOPs, bytes, time, intensity, rates, ceiling, efficiency, bound (ops and groups alike).</summary>
    private static void WritePlacement(Utf8JsonWriter w, double flops, double bytes, long timeNs, long exposedNs, double? intensity,
        double achievedFlops, double achievedBytes, double? peak, string peakLabel, double? ceiling, double? efficiency,
        Analysis.Roofline.RooflineBound bound)
    {
        WriteNullableDouble(w, "flops", flops);
        WriteNullableDouble(w, "bytes", bytes);
        w.WriteNumber("time_ns", timeNs);
        w.WriteNumber("exposed_ns", exposedNs);
        WriteNullableDouble(w, "intensity", intensity);
        WriteNullableDouble(w, "achieved_flops_per_s", achievedFlops);
        WriteNullableDouble(w, "achieved_bytes_per_s", achievedBytes);
        WriteNullableDouble(w, "peak_flops_per_s", peak);
        w.WriteString("peak", peakLabel);
        WriteNullableDouble(w, "ceiling_flops_per_s", ceiling);
        WriteNullableDouble(w, "efficiency", efficiency);
        w.WriteString("bound", bound.ToString().ToLowerInvariant());
    }

    private static void WriteFrameworkOps(Utf8JsonWriter w, Analysis.Roofline.FrameworkOpResult f)
    {
        w.WriteStartObject("framework_ops");
        w.WriteNumber("count", f.Count);
        w.WriteNumber("time_ns", f.TimeNs);
        w.WriteNumber("unattributed_ns", f.UnattributedNs);
        w.WriteStartArray("ops");
        foreach (var o in f.Ops)
        {
            w.WriteStartObject();
            w.WriteString("name", o.Name);
            w.WriteString("type", o.Type);
            w.WriteNumber("occurrences", o.Occurrences);
            w.WriteNumber("xla_ops", o.XlaOps);
            w.WriteNumber("time_ns", o.TimeNs);
            WriteNullableDouble(w, "flops", o.Flops);
            WriteNullableDouble(w, "model_flops", o.ModelFlops);
            WriteNullableDouble(w, "bytes", o.Bytes);
            w.WriteString("dtype", o.DataType);
            w.WriteString("unit", o.Matrix ? "matrix" : "vector");
            WriteNullableDouble(w, "flops_per_s", o.FlopsPerSecond);
            WriteNullableDouble(w, "bytes_per_s", o.BytesPerSecond);
            WriteNullableDouble(w, "intensity", o.Intensity);
            w.WriteString("bound", o.Bound.ToString().ToLowerInvariant());
            WriteNullableDouble(w, "efficiency", o.Efficiency);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteMfu(Utf8JsonWriter w, Analysis.Roofline.MfuResult m)
    {
        w.WriteStartObject("mfu");
        WriteNullableDouble(w, "mfu", m.Mfu);
        WriteNullableDouble(w, "hfu", m.Hfu);
        w.WriteStartArray("peaks");
        foreach (var p in m.Peak)
        {
            w.WriteStringValue(p);
        }

        w.WriteEndArray();
        WriteNullableDouble(w, "matrix_coverage", m.MatrixCoverage);
        WriteNullableDouble(w, "recomputed_flops", m.RecomputedFlops);
        w.WriteStartArray("steps");
        foreach (var s in m.Steps)
        {
            w.WriteStartObject();
            WriteNullableNumber(w, "step", s.Step);
            w.WriteNumber("time_ns", s.TimeNs);
            WriteNullableDouble(w, "model_flops", s.ModelFlops);
            WriteNullableDouble(w, "hardware_flops", s.HardwareFlops);
            WriteNullableDouble(w, "model_flops_per_s", s.ModelFlopsPerSecond);
            WriteNullableDouble(w, "mfu", s.Mfu);
            WriteNullableDouble(w, "hfu", s.Hfu);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteHeadroom(Utf8JsonWriter w, string name, Analysis.Opportunities.HeadroomResult h)
    {
        w.WriteStartObject(name);
        w.WriteNumber("steps", h.Steps);
        w.WriteNumber("step_time_ns", h.StepTimeNs);
        w.WriteBoolean("per_window", h.PerWindow);
        w.WriteStartArray("items");
        foreach (var i in h.Items)
        {
            w.WriteStartObject();
            w.WriteString("title", i.Title);
            w.WriteNumber("saving_ns_per_step", i.SavingNsPerStep);
            WriteNullableDouble(w, "share_of_step", i.ShareOfStep);
            w.WriteString("bound", i.Bound.ToString().ToLowerInvariant());
            w.WriteString("kind", Snake(i.Kind.ToString()));
            WriteNullableNumber(w, "rank", i.Rank);
            WriteNullableString(w, "op", i.Op);
            w.WriteString("evidence", i.Evidence);
            w.WriteString("suggestion", i.Suggestion);
            w.WriteString("method", i.Method);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteStats(Utf8JsonWriter w, DurationStats s)
    {
        w.WriteStartObject();
        w.WriteNumber("count", s.Count);
        w.WriteNumber("total_ns", s.TotalNs);
        WriteNullableDouble(w, "mean_ns", s.MeanNs);
        WriteNullableDouble(w, "std_ns", s.StdNs);
        WriteNullableDouble(w, "min_ns", s.MinNs);
        WriteNullableDouble(w, "p25_ns", s.P25Ns);
        WriteNullableDouble(w, "p50_ns", s.P50Ns);
        WriteNullableDouble(w, "p75_ns", s.P75Ns);
        WriteNullableDouble(w, "p95_ns", s.P95Ns);
        WriteNullableDouble(w, "max_ns", s.MaxNs);
        w.WriteEndObject();
    }

    /// <summary>A finite number rounded to 6 decimals, or null (NaN and infinities never reach the output).</summary>
    private static void WriteNullableDouble(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, Math.Round(v, 6));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
