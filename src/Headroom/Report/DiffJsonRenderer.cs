using System.Text.Encodings.Web;
using System.Text.Json;
using Headroom.Analysis.Comparison;

namespace Headroom.Report;

/// <summary>
/// Writes a <see cref="RunDiffResult"/> (<c>headroom diff --json</c>) and a <see cref="GateResult"/> (<c>headroom gate
/// --json</c>) as JSON; the schema is in docs/diff.md. Times are nanoseconds per (rank, step) as real numbers (they are
/// means); MFU and relative changes are fractions.
/// </summary>
public static class DiffJsonRenderer
{
    /// <summary>Version of the diff and gate documents.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Writes <paramref name="diff"/> to <paramref name="output"/>.</summary>
    public static void Write(RunDiffResult diff, Stream output)
    {
        ArgumentNullException.ThrowIfNull(diff);
        using var w = Writer(output);
        w.WriteStartObject();
        Header(w, "diff");
        WriteSide(w, "baseline", diff.Baseline);
        WriteSide(w, "candidate", diff.Candidate);
        w.WriteBoolean("same_hardware", diff.SameHardware);
        w.WriteBoolean("same_vendor", diff.SameVendor);
        w.WriteString("ops_matched_by", "signature");
        w.WriteBoolean("kernels_compared", diff.Kernels is not null);
        WriteEstimate(w, "step_time_ns", diff.StepTime);
        if (diff.Mfu is { } mfu)
        {
            WriteEstimate(w, "mfu", mfu);
        }
        else
        {
            w.WriteNull("mfu");
        }

        WriteEstimate(w, "exposed_communication_ns", diff.ExposedCommunication);
        WriteEstimate(w, "idle_ns", diff.Idle);
        var d = diff.Decomposition;
        w.WriteStartObject("decomposition_ns");
        w.WriteNumber("step_delta", diff.StepTime.Delta);
        w.WriteNumber("ops", d.OpsNs);
        w.WriteNumber("new_ops", d.NewNs);
        w.WriteNumber("removed_ops", d.RemovedNs);
        w.WriteNumber("slower_ops", d.SlowerNs);
        w.WriteNumber("faster_ops", d.FasterNs);
        w.WriteNumber("unchanged_ops", d.UnchangedNs);
        w.WriteNumber("idle", d.IdleNs);
        w.WriteNumber("overlap_and_rest", d.OverlapAndRestNs);
        w.WriteEndObject();
        w.WriteStartObject("op_counts");
        w.WriteNumber("matched", diff.MatchedOps);
        foreach (var c in Enum.GetValues<DiffChange>())
        {
            w.WriteNumber(ChangeName(c), diff.OpCount(c));
        }

        w.WriteEndObject();
        w.WriteStartArray("ops");
        foreach (var o in diff.Ops)
        {
            w.WriteStartObject();
            w.WriteString("name", o.Name);
            w.WriteString("input_dims", o.InputDims);
            w.WriteString("input_types", o.InputTypes);
            w.WriteString("change", ChangeName(o.Change));
            w.WriteNumber("baseline_calls", o.BaselineCalls);
            w.WriteNumber("candidate_calls", o.CandidateCalls);
            WriteEstimate(w, "per_step_ns", o.PerStepNs);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (diff.Kernels is { } kernels)
        {
            w.WriteStartArray("kernels");
            foreach (var k in kernels)
            {
                w.WriteStartObject();
                w.WriteString("name", k.Name);
                w.WriteString("category", JsonReportRenderer.CategoryName(k.Category));
                w.WriteString("change", ChangeName(k.Change));
                WriteEstimate(w, "per_step_ns", k.PerStepNs);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
        else
        {
            w.WriteNull("kernels");
        }

        w.WriteEndObject();
    }

    /// <summary>Writes the gate's verdict, with the run names as given, to <paramref name="output"/>.</summary>
    public static void WriteGate(GateResult gate, string baseline, string candidate, Stream output)
    {
        ArgumentNullException.ThrowIfNull(gate);
        using var w = Writer(output);
        w.WriteStartObject();
        Header(w, "gate");
        w.WriteString("baseline", baseline);
        w.WriteString("candidate", candidate);
        w.WriteString("metric", gate.Metric.ToString());
        w.WriteBoolean("higher_is_worse", gate.Metric.HigherIsWorse);
        w.WriteNumber("max_regression", gate.MaxRegression);
        if (gate.Regression is { } r)
        {
            w.WriteNumber("regression", r);
        }
        else
        {
            w.WriteNull("regression");
        }

        w.WriteBoolean("significant_regression", gate.SignificantRegression);
        w.WriteString("verdict", gate.Fails ? "fail" : "pass");
        w.WriteNumber("exit_code", gate.Fails ? 1 : 0);
        WriteEstimate(w, "estimate", gate.Estimate);
        w.WriteEndObject();
    }

    /// <summary>The JSON name of a change.</summary>
    public static string ChangeName(DiffChange change) => change switch
    {
        DiffChange.New => "new",
        DiffChange.Removed => "removed",
        DiffChange.Slower => "slower",
        DiffChange.Faster => "faster",
        _ => "unchanged",
    };

    private static Utf8JsonWriter Writer(Stream output) =>
        new(output, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static void Header(Utf8JsonWriter w, string kind)
    {
        w.WriteNumber("schema_version", SchemaVersion);
        w.WriteString("kind", kind);
        w.WriteStartObject("tool");
        w.WriteString("name", "headroom");
        w.WriteString("version", ToolInfo.Version);
        w.WriteEndObject();
        w.WriteNumber("confidence", WelchInterval.Confidence);
        w.WriteString("interval", "welch");
    }

    private static void WriteSide(Utf8JsonWriter w, string name, DiffSide s)
    {
        w.WriteStartObject(name);
        w.WriteString("name", s.Name);
        w.WriteString("tool_version", s.ToolVersion);
        w.WriteNumber("ranks", s.Ranks);
        w.WriteNumber("samples", s.Samples);
        w.WriteBoolean("has_steps", s.HasSteps);
        WriteStrings(w, "devices", s.Devices);
        WriteStrings(w, "hardware_ids", s.HardwareIds);
        WriteStrings(w, "vendors", s.Vendors);
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteEstimate(Utf8JsonWriter w, string name, DeltaEstimate e)
    {
        w.WriteStartObject(name);
        w.WriteNumber("baseline", e.Baseline);
        w.WriteNumber("candidate", e.Candidate);
        w.WriteNumber("delta", e.Delta);
        Nullable(w, "relative", e.Relative);
        Nullable(w, "ci_low", e.CiLow);
        Nullable(w, "ci_high", e.CiHigh);
        if (e.Significant is { } significant)
        {
            w.WriteBoolean("significant", significant);
        }
        else
        {
            w.WriteNull("significant");
        }

        w.WriteNumber("baseline_samples", e.BaselineSamples);
        w.WriteNumber("candidate_samples", e.CandidateSamples);
        w.WriteNumber("baseline_stddev", e.BaselineStdDev);
        w.WriteNumber("candidate_stddev", e.CandidateStdDev);
        w.WriteEndObject();
    }

    private static void Nullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
