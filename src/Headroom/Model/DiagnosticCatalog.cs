namespace Headroom.Model;

/// <summary>
/// Every named problem Headroom reports while reading or analysing traces. Codes are stable:
/// scripts may match on them. docs/diagnostics.md explains each one.
/// </summary>
public static class DiagnosticCatalog
{
    private static DiagnosticDescriptor E(string code, string text) => new(code, DiagnosticSeverity.Error, text);
    private static DiagnosticDescriptor W(string code, string text) => new(code, DiagnosticSeverity.Warning, text);
    private static DiagnosticDescriptor I(string code, string text) => new(code, DiagnosticSeverity.Info, text);

    // Fatal for one input: it cannot be used.
    /// <summary>The path does not exist or cannot be read.</summary>
    public static readonly DiagnosticDescriptor FileUnreadable = E("file-unreadable", "the file could not be opened or read");
    /// <summary>Zero bytes.</summary>
    public static readonly DiagnosticDescriptor FileEmpty = E("file-empty", "the file is empty");
    /// <summary>Content is neither JSON nor a known binary format.</summary>
    public static readonly DiagnosticDescriptor UnknownFormat = E("unknown-format", "the content is not a trace format Headroom recognises");
    /// <summary>Valid start, then bytes that are not JSON.</summary>
    public static readonly DiagnosticDescriptor NotJson = E("invalid-json", "the file is not valid JSON");
    /// <summary>JSON without trace events.</summary>
    public static readonly DiagnosticDescriptor NotATrace = E("not-a-trace", "the JSON holds no trace events (no traceEvents array, or an array without event objects)");
    /// <summary>gzip header or data damaged before any event could be read.</summary>
    public static readonly DiagnosticDescriptor GzipCorrupt = E("gzip-corrupt", "the gzip data is corrupt");
    /// <summary>A format Headroom detects but cannot read yet.</summary>
    public static readonly DiagnosticDescriptor FormatNotSupported = E("format-not-supported", "this trace format is recognised but not supported yet");
    /// <summary>A folder holding no trace files.</summary>
    public static readonly DiagnosticDescriptor NoTraces = E("no-traces", "no trace files were found");
    /// <summary>Two inputs declare the same rank.</summary>
    public static readonly DiagnosticDescriptor DuplicateRank = W("duplicate-rank", "two files claim the same rank; the later one is analysed under the first free rank id");
    /// <summary>A single JSON value too large to stream (e.g. a multi-hundred-MB event).</summary>
    public static readonly DiagnosticDescriptor EventTooLarge = E("event-too-large", "one event is larger than the reader's limit");

    // Lenient reads: the trace is used, with what was lost said.
    /// <summary>The file stops mid-event or mid-gzip, as when a profiler is killed.</summary>
    public static readonly DiagnosticDescriptor TraceTruncated = W("trace-truncated", "the trace ends mid-write; the events before the cut were kept");
    /// <summary>Bytes after the end of the top-level JSON value.</summary>
    public static readonly DiagnosticDescriptor TrailingData = W("trailing-data", "data after the end of the trace was ignored");
    /// <summary>A number that does not fit int64 nanoseconds.</summary>
    public static readonly DiagnosticDescriptor NumberOutOfRange = W("number-out-of-range", "a timestamp, duration or id does not fit in 64 bits; the event was dropped");
    /// <summary>An event without a field it needs (ts, dur, name, ph).</summary>
    public static readonly DiagnosticDescriptor MissingField = W("missing-field", "an event lacks a field it needs; the event was dropped");
    /// <summary>A field with a value of the wrong JSON type.</summary>
    public static readonly DiagnosticDescriptor InvalidField = W("invalid-field", "an event field has a value of the wrong type; the event was dropped");
    /// <summary>A negative duration.</summary>
    public static readonly DiagnosticDescriptor NegativeDuration = W("negative-duration", "an event has a negative duration; the event was dropped");
    /// <summary>An E event with no matching B.</summary>
    public static readonly DiagnosticDescriptor UnmatchedEnd = W("unmatched-end", "an end event (ph E) had no matching begin; it was dropped");
    /// <summary>A B event never closed.</summary>
    public static readonly DiagnosticDescriptor UnclosedBegin = W("unclosed-begin", "a begin event (ph B) was never closed; it was dropped");
    /// <summary>A phase this reader does not model (e.g. async b/e, samples, object snapshots).</summary>
    public static readonly DiagnosticDescriptor UnsupportedPhase = I("unsupported-phase", "events of a phase Headroom does not model were counted and skipped");
    /// <summary>A complete event whose category Headroom does not know.</summary>
    public static readonly DiagnosticDescriptor UnknownCategory = I("unknown-category", "events of an unknown category were kept as host events of kind Other");
    /// <summary>Device activity with no recorded runtime launch (graph replay, GPU-only capture, flow loss).</summary>
    public static readonly DiagnosticDescriptor GpuEventWithoutLaunch = I("gpu-event-without-launch", "device activity has no runtime launch in the trace (e.g. CUDA/HIP graph replay or a GPU-only capture)");
    /// <summary>Trace in CUPTI profiler-range mode: ranges instead of kernels.</summary>
    public static readonly DiagnosticDescriptor CuptiRangeMode = W("cupti-range-mode", "the trace holds CUPTI profiler ranges instead of kernel events; device time cannot be broken down");

    // Facts about the job.
    /// <summary>Rank taken from the file name.</summary>
    public static readonly DiagnosticDescriptor RankFromFileName = I("rank-from-file-name", "no distributedInfo.rank; the rank was taken from the file name");
    /// <summary>Rank taken from the input order.</summary>
    public static readonly DiagnosticDescriptor RankFromFileOrder = I("rank-from-file-order", "no distributedInfo.rank and no rank in the file name; the rank is the file's position among the inputs");
    /// <summary>No device work at all.</summary>
    public static readonly DiagnosticDescriptor NoGpuEvents = W("no-gpu-events", "the trace has no device activity (kernels, copies or sets); device breakdowns are empty");
    /// <summary>No ProfilerStep annotations.</summary>
    public static readonly DiagnosticDescriptor NoSteps = I("no-step-annotations", "no step annotations (ProfilerStep#N, a device Steps line or a host step_num); the whole trace is analysed as one window");
    /// <summary>A file in a trace folder that is not a trace.</summary>
    public static readonly DiagnosticDescriptor SkippedFile = I("skipped-file", "a file in a trace folder is not a trace and was skipped");
    /// <summary>Ranks declaring different world sizes or process groups.</summary>
    public static readonly DiagnosticDescriptor MixedJobs = W("mixed-jobs", "the inputs seem to come from different jobs (different world sizes or process groups); per-rank results are given, cross-rank analyses are skipped");
    /// <summary>Fewer ranks than the declared world size.</summary>
    public static readonly DiagnosticDescriptor MissingRanks = W("missing-ranks", "some ranks of the job are missing; cross-rank results cover the ranks present");
    // Cross-rank collective analyses.
    /// <summary>collective-count-mismatch.</summary>
    public static readonly DiagnosticDescriptor CollectiveCountMismatch = W("collective-count-mismatch", "some collectives were not found on every rank of their group (different collective counts per rank); each is matched across the ranks that have it");
    /// <summary>collective-name-mismatch.</summary>
    public static readonly DiagnosticDescriptor CollectiveNameMismatch = W("collective-name-mismatch", "ranks recorded different collectives under the same process group and sequence number");
    /// <summary>clock-not-aligned.</summary>
    public static readonly DiagnosticDescriptor CollectiveClockNotAligned = W("clock-not-aligned", "a rank shares no matched collective with the reference rank; its clock offset is taken as 0 and its cross-rank timings may be off by the clock skew");
    /// <summary>clock-alignment-noisy.</summary>
    public static readonly DiagnosticDescriptor CollectiveClockNoisy = W("clock-alignment-noisy", "the ends of matched collectives disagree by more than 50 µs after alignment (median absolute deviation): collectives may be matched wrongly (e.g. a trace missing some), and cross-rank timings are unreliable");
    /// <summary>no-collectives.</summary>
    public static readonly DiagnosticDescriptor CollectiveNoCollectives = I("no-collectives", "no rank has collective kernels; the cross-rank collective analyses are empty");
    /// <summary>too-few-ranks.</summary>
    public static readonly DiagnosticDescriptor CollectiveTooFewRanks = I("too-few-ranks", "cross-rank analyses need at least two ranks; with one, collectives are listed but there are no waits, skews or stragglers");
    /// <summary>The trace's device is not in the hardware catalog.</summary>
    public static readonly DiagnosticDescriptor UnknownDevice = W("unknown-device", "the trace's device is not in the hardware catalog; breakdowns are complete but the roofline has no ceilings");

    /// <summary>A device outside the catalog whose trace reports its own peaks (XSpace TPU planes): they are used.</summary>
    public static readonly DiagnosticDescriptor DevicePeaksFromTrace = I("device-peaks-from-trace", "the trace's device is not in the hardware catalog; the roofline uses the peak FLOP/s and memory bandwidth the trace reports");
    /// <summary>An XSpace file whose protocol buffer is malformed or is not an XSpace.</summary>
    public static readonly DiagnosticDescriptor InvalidProtobuf = E("invalid-protobuf", "the file is not a well-formed XSpace protobuf (a length past the end, a bad field, or no planes)");
    /// <summary>XLA's reported cost of an op differs from the estimate from its shapes.</summary>
    public static readonly DiagnosticDescriptor XlaCostDisagreement = I("xla-cost-disagreement", "XLA's reported FLOPs or bytes of some ops differ by more than 10% from the estimate from their HLO shapes; XLA's are used");
    /// <summary>An HLO proto embedded in an XSpace's metadata plane could not be read.</summary>
    public static readonly DiagnosticDescriptor HloProtoUnreadable = I("hlo-proto-unreadable", "an HLO module embedded in the XSpace (the /host:metadata plane's \"Hlo Proto\") is malformed; its ops have no cost from their shapes");
    /// <summary>The profiler recorded an error or warning in the XSpace.</summary>
    public static readonly DiagnosticDescriptor XSpaceMessage = I("xspace-message", "the profiler recorded an error or warning in the XSpace; it is repeated here");
    /// <summary>An op's recorded shapes, dtypes or argument text do not fit its cost formula.</summary>
    public static readonly DiagnosticDescriptor NoCostEstimate = I("no-cost-estimate", "an op's recorded shapes, dtypes or arguments do not fit its FLOP/byte formula (unknown dtype, mismatched or absurd dimensions); its kernels are reported without an estimate");
    /// <summary>A --steps selection matching nothing.</summary>
    public static readonly DiagnosticDescriptor StepsNotFound = W("steps-not-found", "no step in the trace matches the --steps selection");
    /// <summary>A --rank selection matching nothing.</summary>
    public static readonly DiagnosticDescriptor RankNotFound = E("rank-not-found", "no input has the rank selected with --rank");
    /// <summary>Device properties absent.</summary>
    public static readonly DiagnosticDescriptor NoDeviceProperties = I("no-device-properties", "the trace does not name its device");
    /// <summary>HTA compatibility mode dropped events, as HTA does.</summary>
    public static readonly DiagnosticDescriptor HtaLastStepDropped = I("hta-last-step-dropped", "--hta-compatible: the last ProfilerStep and device work not correlated to the kept host events were left out, as HTA does");
}
