namespace Headroom.Model;

/// <summary>One device as the trace describes it (<c>deviceProperties</c> or legacy <c>computeProperties</c>).</summary>
/// <param name="Id">Device index.</param>
/// <param name="Name">Name as the trace gives it, e.g. "NVIDIA H100 80GB HBM3".</param>
/// <param name="TotalMemoryBytes">Global memory, bytes; 0 when not given.</param>
/// <param name="ComputeCapability">"major.minor" (CUDA) or gfx name (ROCm); empty when not given.</param>
/// <param name="MultiprocessorCount">SMs or CUs; 0 when not given.</param>
public sealed record DeviceInfo(int Id, string Name, long TotalMemoryBytes, string ComputeCapability, int MultiprocessorCount)
{
    /// <summary>Clock rate, kHz, as the trace reports it (XSpace GPU planes' <c>clock_rate</c>); 0 when not given.</summary>
    public long ClockRateKHz { get; init; }

    /// <summary>
    /// Memory bandwidth, bytes/s, as the trace reports it (XSpace: a GPU plane's <c>memory_bandwidth</c>, a TPU plane's
    /// <c>peak_hbm_bw_gigabytes_per_second</c> × 1e9); 0 when not given. A runtime's own figure: ROCm reports 2.66 TB/s
    /// for an MI300X whose HBM3 peak is 5.3 TB/s, so the catalog's figure is preferred when the device is known.
    /// </summary>
    public double MemoryBandwidthBytesPerSecond { get; init; }

    /// <summary>Peak FLOP/s as the trace reports it (a TPU plane's <c>peak_teraflops_per_second</c> × 1e12: the bf16 MXU peak); 0 when not given.</summary>
    public double PeakFlopsPerSecond { get; init; }
}

/// <summary>A process group from <c>distributedInfo.pg_config</c>.</summary>
public sealed record ProcessGroupInfo(string Name, string Description, string BackendConfig, int Size, IReadOnlyList<int> Ranks);

/// <summary>The <c>distributedInfo</c> block.</summary>
public sealed record DistributedInfo(string Backend, int? Rank, int? WorldSize, int? ProcessGroupCount, string NcclVersion,
    IReadOnlyList<ProcessGroupInfo> ProcessGroups);

/// <summary>Where a rank's id came from.</summary>
public enum RankSource
{
    /// <summary><c>distributedInfo.rank</c>.</summary>
    DistributedInfo,
    /// <summary>The file name (<c>rank-3</c>, <c>rank3</c>, <c>worker3</c>).</summary>
    FileName,
    /// <summary>The order of the file among the inputs.</summary>
    FileOrder,
    /// <summary>One of several devices in one file (an XSpace whose process drove several GPUs or TPU chips): device order, in input order.</summary>
    Device,
}

/// <summary>Top-level facts about one trace file.</summary>
/// <param name="Format">Detected format.</param>
/// <param name="SchemaVersion">The trace's <c>schemaVersion</c>, if any.</param>
/// <param name="DisplayTimeUnit">The trace's <c>displayTimeUnit</c> (display only: timestamps are microseconds regardless).</param>
/// <param name="BaseTimeNanoseconds">Kineto's <c>baseTimeNanoseconds</c>, added to every timestamp; 0 when absent.</param>
/// <param name="Properties">Other top-level scalar keys (versions, flags such as record_shapes), as text.</param>
public sealed record TraceMetadata(string Format, string? SchemaVersion, string? DisplayTimeUnit, long BaseTimeNanoseconds,
    IReadOnlyDictionary<string, string> Properties);

/// <summary>A host thread or device stream track: the trace's pid/tid and any names given by metadata events.</summary>
/// <param name="Pid">Process id (numeric; a textual pid is hashed to a stable negative number and kept in <paramref name="PidLabel"/>).</param>
/// <param name="Tid">Thread id (same convention).</param>
public sealed record ThreadInfo(long Pid, long Tid, string? PidLabel, string? TidLabel, string? ProcessName, string? ThreadName);

/// <summary>Arguments of a CPU op that later analyses need; every field is a string id (0 = absent) of the raw JSON text.</summary>
/// <param name="InputDims">args["Input Dims"] (or legacy "Input dims").</param>
/// <param name="InputTypes">args["Input type"].</param>
/// <param name="InputStrides">args["Input Strides"].</param>
/// <param name="ConcreteInputs">args["Concrete Inputs"].</param>
/// <param name="Collective">Index into <see cref="RankTrace.Collectives"/>; -1 when the op is not a collective.</param>
/// <param name="Stream">args["stream"] when a host event records one (TorchInductor's Triton launches do); -1 otherwise.</param>
public readonly record struct OpArgs(int InputDims, int InputTypes, int InputStrides, int ConcreteInputs, int Collective, int Stream);

/// <summary>A collective's parameters as the profiler recorded them (on <c>record_param_comms</c> or the kernel).</summary>
/// <param name="Name">"Collective name", e.g. allreduce, all_gather_into_tensor_coalesced.</param>
/// <param name="InMessageElements">"In msg nelems"; -1 when absent.</param>
/// <param name="OutMessageElements">"Out msg nelems"; -1 when absent.</param>
/// <param name="GroupSize">"Group size"; -1 when absent.</param>
/// <param name="DataType">"dtype", e.g. Float, BFloat16.</param>
/// <param name="ProcessGroupName">"Process Group Name".</param>
/// <param name="ProcessGroupDescription">"Process Group Description".</param>
/// <param name="ProcessGroupRanks">"Process Group Ranks" as text, e.g. "[0, 1]".</param>
/// <param name="InSplitSizes">"In split size" as text.</param>
/// <param name="OutSplitSizes">"Out split size" as text.</param>
/// <param name="SequenceNumber">"Seq" / "Sequence number" when recorded; -1 otherwise.</param>
public sealed record CollectiveInfo(string Name, long InMessageElements, long OutMessageElements, int GroupSize, string DataType,
    string ProcessGroupName, string ProcessGroupDescription, string ProcessGroupRanks, string InSplitSizes, string OutSplitSizes,
    long SequenceNumber);

/// <summary>
/// A device op's cost as the compiler reported it (XLA's cost analysis in an XSpace: <c>flops</c>, <c>model_flops</c>,
/// <c>bytes_accessed</c>), or as computed from the compiled HLO module's shapes, for device activities that have no
/// host op with shapes.
/// </summary>
/// <param name="Name">The op's name (XLA's deduplicated name, e.g. <c>broadcast_add_fusion</c>, else the HLO instruction name).</param>
/// <param name="Shape">Its output shape with layout, as recorded (<c>f32[5,1024]{1,0}</c>).</param>
/// <param name="Category">XLA's category (<c>convolution fusion</c>, <c>loop fusion</c>, <c>data formatting</c>, ...).</param>
/// <param name="DataType">Compute dtype from the shape (fp32, bf16, ...); "" when unknown.</param>
/// <param name="Matrix">Runs on the matrix units (convolutions, dots).</param>
/// <param name="Flops">FLOPs the hardware executes, per execution.</param>
/// <param name="ModelFlops">The model's FLOPs (XLA's <c>model_flops</c>; equal to <paramref name="Flops"/> when absent).</param>
/// <param name="Bytes">Bytes accessed in device memory, per execution.</param>
public sealed record DeviceOpCost(string Name, string Shape, string Category, string DataType, bool Matrix, double Flops, double ModelFlops, double Bytes)
{
    /// <summary>Where the cost comes from: "XLA cost analysis" (the profiler's stats) or "HLO shapes" (the embedded HLO module).</summary>
    public string Source { get; init; } = "XLA cost analysis";

    /// <summary>
    /// The HLO opcode of the op's instruction in the embedded HLO module, when that module gave an estimate from its
    /// shapes to check XLA's numbers against (<see cref="ShapeFlops"/>, <see cref="ShapeBytes"/>); "" otherwise.
    /// </summary>
    public string ShapeOpcode { get; init; } = "";

    /// <summary>FLOPs of the instruction from the embedded HLO module's shapes (with <see cref="ShapeOpcode"/>).</summary>
    public double? ShapeFlops { get; init; }

    /// <summary>Bytes of the instruction from the embedded HLO module's shapes (with <see cref="ShapeOpcode"/>).</summary>
    public double? ShapeBytes { get; init; }

    /// <summary>
    /// The framework op the XLA op was lowered from: its <c>tf_op</c> stat (a JAX op path such as
    /// <c>jit(f)/jit(main)/mlp/dot_general[...]</c>, or TensorFlow's <c>name:Type</c>) or its HLO instruction's
    /// <c>op_name</c> metadata; "" when not recorded.
    /// </summary>
    public string FrameworkOp { get; init; } = "";
}

/// <summary>
/// A step as a trace marks it other than by a <c>ProfilerStep#N</c> host annotation: a device's <c>Steps</c> line in an
/// XSpace (the TPU runtime's own step boundaries), or a host step annotation with a step number (JAX's
/// <c>StepTraceAnnotation</c>: a TraceMe with a <c>step_num</c> stat).
/// </summary>
/// <param name="Number">The step number (the event's <c>group_id</c> or <c>step_num</c> stat, else the number in its name).</param>
/// <param name="Name">The marker's name, as a string id into the rank's <see cref="StringTable"/>.</param>
/// <param name="StartNs">Start, ns (device clock for device markers, host clock for host markers; one clock in an XSpace).</param>
/// <param name="DurationNs">Duration, ns.</param>
/// <param name="OnDevice">True for a device step marker (the step's device time itself), false for a host annotation (mapped to device time through the work it launched).</param>
public sealed record StepMarker(long Number, int Name, long StartNs, long DurationNs, bool OnDevice);
