using System.Text.Encodings.Web;
using System.Text.Json;
using Headroom.Analysis;
using Headroom.Analysis.Breakdown;
using Headroom.Analysis.Kernels;
using Headroom.Model;

namespace Headroom.Report;

/// <summary>Writes an <see cref="AnalyzeReport"/> as JSON (schema in docs/json-schema.md). Times are integer nanoseconds; shares are 0..1.</summary>
public static partial class JsonReportRenderer
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="output"/>.</summary>
    public static void Write(AnalyzeReport report, Stream output, bool indented = true)
    {
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteNumber("schema_version", report.SchemaVersion);
        w.WriteStartObject("tool");
        w.WriteString("name", "headroom");
        w.WriteString("version", report.ToolVersion);
        w.WriteEndObject();
        w.WriteString("conventions", report.Options.HtaCompatible ? "hta" : "headroom");
        if (report.Options.Steps is { } steps)
        {
            w.WriteString("steps_selected", steps.ToString());
        }
        else
        {
            w.WriteNull("steps_selected");
        }

        w.WriteStartArray("inputs");
        foreach (var i in report.Inputs)
        {
            WriteInput(w, i);
        }

        w.WriteEndArray();
        w.WriteStartArray("ranks");
        foreach (var r in report.Ranks)
        {
            WriteRank(w, r, report.Inputs.FirstOrDefault(i => i.Rank == r.Rank));
        }

        w.WriteEndArray();
        WriteCollectives(w, report.Collectives);
        WriteStragglers(w, report.Collectives);
        WriteHeadroom(w, "job_headroom", report.Headroom);
        w.WriteStartArray("diagnostics");
        foreach (var d in report.Diagnostics)
        {
            w.WriteStartObject();
            w.WriteString("code", d.Code);
            w.WriteString("severity", d.Descriptor.Severity.ToString().ToLowerInvariant());
            w.WriteNumber("count", d.Count);
            w.WriteString("message", d.Message);
            if (d.File is not null)
            {
                w.WriteString("file", d.File);
            }
            else
            {
                w.WriteNull("file");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    private static void WriteInput(Utf8JsonWriter w, InputSummary i)
    {
        w.WriteStartObject();
        w.WriteString("path", i.Path);
        w.WriteNumber("rank", i.Rank);
        w.WriteString("rank_source", Snake(i.RankSource.ToString()));
        w.WriteString("format", i.Format);
        w.WriteNumber("bytes", i.Bytes);
        w.WriteStartObject("events");
        w.WriteNumber("total", i.Events);
        w.WriteNumber("cpu", i.CpuEvents);
        w.WriteNumber("gpu", i.GpuEvents);
        w.WriteNumber("dropped", i.DroppedEvents);
        w.WriteEndObject();
        w.WriteBoolean("truncated", i.Truncated);
        w.WriteNumber("retained_bytes", i.RetainedBytes);
        w.WriteStartObject("metadata");
        WriteNullableString(w, "schema_version", i.Metadata.SchemaVersion);
        WriteNullableString(w, "display_time_unit", i.Metadata.DisplayTimeUnit);
        w.WriteNumber("base_time_ns", i.Metadata.BaseTimeNanoseconds);
        w.WriteStartObject("properties");
        foreach (var (k, v) in i.Metadata.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteRank(Utf8JsonWriter w, RankAnalysis r, InputSummary? input)
    {
        w.WriteStartObject();
        w.WriteNumber("rank", r.Rank);
        w.WriteString("rank_source", Snake(r.RankSource.ToString()));
        w.WriteString("file", r.SourcePath);
        w.WriteString("device", r.Device);
        w.WriteStartArray("devices");
        foreach (var d in input?.Devices ?? [])
        {
            w.WriteStartObject();
            w.WriteNumber("id", d.Id);
            w.WriteString("name", d.Name);
            w.WriteNumber("memory_bytes", d.TotalMemoryBytes);
            w.WriteString("compute_capability", d.ComputeCapability);
            w.WriteNumber("multiprocessors", d.MultiprocessorCount);
            w.WriteNumber("clock_khz", d.ClockRateKHz);
            w.WriteNumber("reported_memory_bandwidth_bytes_per_s", d.MemoryBandwidthBytesPerSecond);
            w.WriteNumber("reported_peak_flops_per_s", d.PeakFlopsPerSecond);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteDistributed(w, input?.Distributed);
        w.WriteStartObject("hardware");
        if (r.Hardware.Spec is { } spec)
        {
            w.WriteString("id", spec.Id);
            w.WriteString("name", spec.Name);
            w.WriteNumber("memory_bandwidth_bytes_per_s", spec.MemoryBandwidth.BytesPerSecond);
            w.WriteStartArray("peaks");
            foreach (var (unit, peaks) in new[] { ("matrix", spec.MatrixPeaks), ("vector", spec.VectorPeaks) })
            {
                foreach (var (precision, rate) in peaks.OrderBy(p => p.Key))
                {
                    w.WriteStartObject();
                    w.WriteString("dtype", precision.ToString().ToLowerInvariant());
                    w.WriteString("unit", unit);
                    w.WriteNumber("flops_per_s", Math.Round(rate.PerSecond));
                    w.WriteEndObject();
                }
            }

            w.WriteEndArray();
        }
        else
        {
            w.WriteNull("id");
            w.WriteNull("name");
            w.WriteNull("memory_bandwidth_bytes_per_s");
            w.WriteStartArray("peaks");
            w.WriteEndArray();
        }

        w.WriteString("how", r.Hardware.How);
        w.WriteString("confidence", r.Hardware.Confidence);
        w.WriteEndObject();
        w.WriteNumber("activities", r.ActivityCount);
        w.WriteStartArray("steps");
        foreach (var s in r.Steps)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Step.Name);
            w.WriteNumber("number", s.Step.Number);
            w.WriteNumber("start_ns", s.Step.StartNs);
            w.WriteNumber("dur_ns", s.Step.DurationNs);
            WriteNullableNumber(w, "gpu_start_ns", s.Step.GpuStartNs);
            WriteNullableNumber(w, "gpu_dur_ns", s.Step.GpuEndNs - s.Step.GpuStartNs);
            WriteNullableNumber(w, "window_start_ns", s.Step.WindowStartNs);
            w.WriteNumber("window_dur_ns", s.Step.WindowNs);
            w.WriteNumber("activities", s.Step.ActivityCount);
            w.WritePropertyName("breakdown");
            WriteBreakdown(w, s.Breakdown, null, null);
            w.WriteStartArray("top_kernels");
            foreach (var k in s.TopKernels)
            {
                WriteKernel(w, k);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WritePropertyName("breakdown");
        WriteBreakdown(w, r.Overall, r.Kernels, r.KernelTypes);
        w.WriteStartArray("ops");
        foreach (var o in r.Ops)
        {
            w.WriteStartObject();
            w.WriteString("name", o.Name);
            w.WriteNumber("calls", o.Calls);
            w.WriteNumber("kernel_count", o.KernelCount);
            w.WriteNumber("gpu_self_ns", o.GpuSelfNs);
            w.WriteNumber("gpu_inclusive_ns", o.GpuInclusiveNs);
            w.WriteNumber("share_of_busy", Round(o.ShareOfBusy));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteRoofline(w, r.Roofline);
        WriteFrameworkOps(w, r.FrameworkOps);
        WriteMfu(w, r.Mfu);
        WriteHeadroom(w, "headroom", r.Headroom);
        WriteOverlap(w, r.Overall);
        WriteIdle(w, r.Idle);
        WriteLaunch(w, r.Launch);
        if (r.HtaTemporal is { } t)
        {
            w.WriteStartObject("hta_temporal");
            w.WriteNumber("idle_ns", t.IdleNs);
            w.WriteNumber("compute_ns", t.ComputeNs);
            w.WriteNumber("non_compute_ns", t.NonComputeNs);
            w.WriteNumber("kernel_time_ns", t.KernelTimeNs);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteDistributed(Utf8JsonWriter w, DistributedInfo? d)
    {
        if (d is null)
        {
            w.WriteNull("distributed");
            return;
        }

        w.WriteStartObject("distributed");
        w.WriteString("backend", d.Backend);
        WriteNullableNumber(w, "rank", d.Rank);
        WriteNullableNumber(w, "world_size", d.WorldSize);
        w.WriteString("nccl_version", d.NcclVersion);
        w.WriteStartArray("process_groups");
        foreach (var g in d.ProcessGroups)
        {
            w.WriteStartObject();
            w.WriteString("name", g.Name);
            w.WriteString("description", g.Description);
            w.WriteString("backend_config", g.BackendConfig);
            w.WriteNumber("size", g.Size);
            w.WriteStartArray("ranks");
            foreach (var rank in g.Ranks)
            {
                w.WriteNumberValue(rank);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteBreakdown(Utf8JsonWriter w, GpuTimeBreakdown b, KernelBreakdown? kernels, IReadOnlyList<KernelTypeTime>? types)
    {
        w.WriteStartObject();
        w.WriteNumber("window_start_ns", b.WindowStartNs);
        w.WriteNumber("window_ns", b.WindowNs);
        w.WriteNumber("busy_ns", b.BusyNs);
        w.WriteNumber("computation_ns", b.ComputationNs);
        w.WriteNumber("communication_ns", b.CommunicationNs);
        w.WriteNumber("memcpy_ns", b.MemcpyNs);
        w.WriteNumber("memset_ns", b.MemsetNs);
        w.WriteNumber("other_ns", b.OtherNs);
        w.WriteNumber("idle_ns", b.IdleNs);
        w.WriteNumber("exposed_communication_ns", b.CommunicationNs);
        w.WriteNumber("communication_total_ns", b.CommunicationTotalNs);
        w.WriteNumber("communication_overlapped_ns", b.CommunicationOverlappedNs);
        w.WriteNumber("memcpy_total_ns", b.MemcpyTotalNs);
        w.WriteNumber("memset_total_ns", b.MemsetTotalNs);
        if (b.CommunicationOverlapPercent is { } overlap)
        {
            w.WriteNumber("communication_overlap_pct", Math.Round(overlap, 2));
        }
        else
        {
            w.WriteNull("communication_overlap_pct");
        }

        if (kernels is not null)
        {
            w.WriteNumber("distinct_kernels", kernels.DistinctNames);
            w.WriteStartArray("kernels");
            foreach (var k in kernels.ByName)
            {
                WriteKernel(w, k);
            }

            w.WriteEndArray();
            w.WriteStartArray("categories");
            foreach (var c in kernels.ByCategory)
            {
                w.WriteStartObject();
                w.WriteString("category", CategoryName(c.Category));
                w.WriteNumber("count", c.Count);
                w.WriteNumber("total_ns", c.TotalNs);
                w.WriteNumber("share_of_busy", Round(c.ShareOfBusy));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (types is not null)
        {
            w.WriteStartArray("kernel_types");
            foreach (var t in types)
            {
                w.WriteStartObject();
                w.WriteString("type", t.Type);
                w.WriteNumber("ns", t.Ns);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static void WriteKernel(Utf8JsonWriter w, KernelStats k)
    {
        w.WriteStartObject();
        w.WriteString("name", k.Name);
        w.WriteString("category", CategoryName(k.Category));
        w.WriteNumber("count", k.Count);
        w.WriteNumber("total_ns", k.TotalNs);
        w.WriteNumber("mean_ns", k.MeanNs);
        w.WriteNumber("p50_ns", k.P50Ns);
        w.WriteNumber("p95_ns", k.P95Ns);
        w.WriteNumber("min_ns", k.MinNs);
        w.WriteNumber("max_ns", k.MaxNs);
        w.WriteNumber("share_of_busy", Round(k.ShareOfBusy));
        w.WriteEndObject();
    }

    /// <summary>The category's name in JSON: lower case.</summary>
    public static string CategoryName(KernelCategory category) => category.ToString().ToLowerInvariant();

    private static double Round(double v) => double.IsFinite(v) ? Math.Round(v, 6) : 0;

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static void WriteNullableString(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteNullableNumber(Utf8JsonWriter w, string name, long? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteNumber(name, value.Value);
        }
    }
}
