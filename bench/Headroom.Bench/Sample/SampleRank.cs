using System.Globalization;

namespace Headroom.Bench.Sample;

/// <summary>A host thread of the simulated process: its clock and its stack of open ops.</summary>
internal sealed class HostThread(long tid)
{
    public long Tid { get; } = tid;

    public long Now { get; set; }

    public Stack<SampleEvent> Open { get; } = new();
}

/// <summary>A CUDA stream: the time it becomes free.</summary>
internal sealed class GpuStream(int id)
{
    public int Id { get; } = id;

    public long Free { get; set; }
}

/// <summary>A kernel to launch: its name, device time (µs) and launch geometry.</summary>
internal sealed record KernelSpec(string Name, double Micros, int Registers, int SharedMemory, int[] Grid, int[] Block);

/// <summary>A collective whose NCCL kernel waits for the other ranks; completed by the job once every rank reached it.</summary>
internal sealed class PendingCollective(SampleRank rank, SampleEvent kernel, long bytes)
{
    public SampleRank Rank { get; } = rank;

    public SampleEvent Kernel { get; } = kernel;

    public long Bytes { get; } = bytes;

    /// <summary>Ends the collective at <paramref name="end"/> (when the slowest rank's data arrived and the transfer finished).</summary>
    public void Complete(long end)
    {
        Kernel.Dur = end - Kernel.Ts;
        Rank.Comms.Free = end;
    }
}

/// <summary>
/// One rank of the synthetic job: a host process with a main and an autograd thread, a GPU with a compute
/// stream (7) and an NCCL stream (20). Launching advances the host clock by the runtime call and queues the
/// kernel on its stream; the trace records ops, runtime calls, kernels and the ac2g flows linking them.
/// </summary>
internal sealed class SampleRank
{
    private const int CudaLaunchKernel = 211, CudaMemcpyAsync = 41, CudaMemsetAsync = 51, CudaStreamSynchronize = 131,
        CudaEventRecord = 135, CudaStreamWaitEvent = 147;

    private readonly Random _random;
    private readonly List<SampleEvent> _events = [];
    private long _nextCorrelation;
    private long _nextExternalId;
    private long _nextSequence;
    private long _evIdx;

    public SampleRank(int rank, int seed, long start, double hostFactor, double gpuFactor)
    {
        Rank = rank;
        _random = new Random(seed);
        Pid = 2_318_440 + (rank * 131);
        Device = rank;
        Main = new HostThread(Pid) { Now = start };
        Autograd = new HostThread(Pid + 57) { Now = start };
        Compute = new GpuStream(7) { Free = start };
        Comms = new GpuStream(20) { Free = start };
        HostFactor = hostFactor;
        GpuFactor = gpuFactor;
        _nextCorrelation = 41_207 + (rank * 3);
        _nextExternalId = 1_835;
    }

    public int Rank { get; }
    public long Pid { get; }
    public int Device { get; }
    public HostThread Main { get; }
    public HostThread Autograd { get; }
    public GpuStream Compute { get; }
    public GpuStream Comms { get; }
    public double HostFactor { get; }
    public double GpuFactor { get; }
    public IReadOnlyList<SampleEvent> Events => _events;

    /// <summary>A host duration around <paramref name="micros"/>, with ±15% jitter, scaled by the rank's host speed.</summary>
    public long HostTime(double micros) => (long)(micros * 1000 * HostFactor * (0.85 + (0.3 * _random.NextDouble())));

    /// <summary>A device duration around <paramref name="micros"/>, with ±3% jitter, scaled by the rank's device speed.</summary>
    public long GpuTime(double micros) => (long)(micros * 1000 * GpuFactor * (0.97 + (0.06 * _random.NextDouble())));

    public void Add(SampleEvent e) => _events.Add(e);

    /// <summary>Opens a host op (cpu_op, user_annotation, ...) on <paramref name="t"/>.</summary>
    public void Begin(HostThread t, string category, string name, Shapes? shapes = null, List<(string, string)>? extra = null, long? sequence = null)
    {
        var args = new List<(string, string)> { ("External id", Num(_nextExternalId++)) };
        if (category == "cpu_op")
        {
            args.Add(("Record function id", "0"));
            args.Add(("Ev Idx", Num(_evIdx++)));
        }

        if (sequence is long seq)
        {
            args.Add(("Sequence number", Num(seq)));
        }

        if (shapes is not null)
        {
            args.Add(("Input Dims", shapes.Dims));
            args.Add(("Input type", shapes.Types));
            args.Add(("Input Strides", shapes.Strides));
            args.Add(("Concrete Inputs", shapes.Concrete));
        }

        if (extra is not null)
        {
            args.AddRange(extra);
        }

        var e = new SampleEvent { Phase = "X", Category = category, Name = name, Pid = Num(Pid), Tid = Num(t.Tid), Ts = t.Now, Args = args };
        t.Open.Push(e);
        t.Now += HostTime(category == "cpu_op" ? 3 : 1.5);
    }

    /// <summary>Closes the innermost open op of <paramref name="t"/>.</summary>
    public SampleEvent End(HostThread t)
    {
        t.Now += HostTime(1.5);
        var e = t.Open.Pop();
        e.Dur = t.Now - e.Ts;
        _events.Add(e);
        return e;
    }

    /// <summary>A host op with no device work, taking about <paramref name="micros"/>.</summary>
    public void Leaf(HostThread t, string name, Shapes? shapes = null, double micros = 4)
    {
        Begin(t, "cpu_op", name, shapes);
        t.Now += HostTime(micros);
        End(t);
    }

    /// <summary>A sequence number for autograd (links forward ops to their backward).</summary>
    public long NextSequence() => _nextSequence++;

    public void Spend(HostThread t, double micros) => t.Now += HostTime(micros);

    /// <summary>cudaLaunchKernel from the innermost open op of <paramref name="t"/>; the kernel runs on <paramref name="stream"/> when it is free.</summary>
    public SampleEvent Launch(HostThread t, GpuStream stream, KernelSpec k, List<(string, string)>? kernelArgs = null, bool waitForOtherRanks = false)
    {
        var (corr, ext, launchedAt) = Runtime(t, "cudaLaunchKernel", CudaLaunchKernel, 5.5);
        var start = Math.Max(stream.Free, launchedAt + 4_300);
        var occupancy = Math.Min(100, k.Block[0] / 32 * 100 / 64);
        var args = new List<(string, string)>
        {
            ("External id", Num(ext)), ("queued", "0"), ("device", Num(Device)), ("context", "1"), ("stream", Num(stream.Id)),
            ("correlation", Num(corr)), ("registers per thread", Num(k.Registers)), ("shared memory", Num(k.SharedMemory)),
            ("blocks per SM", Fixed((double)k.Grid[0] * k.Grid[1] / 132)), ("warps per SM", Fixed((double)k.Grid[0] * k.Grid[1] * k.Block[0] / 32 / 132)),
            ("grid", Dim(k.Grid)), ("block", Dim(k.Block)), ("est. achieved occupancy %", Num(occupancy)),
        };
        if (kernelArgs is not null)
        {
            args.AddRange(kernelArgs);
        }

        var kernel = new SampleEvent
        {
            Phase = "X",
            Category = "kernel",
            Name = k.Name,
            Pid = Num(Device),
            Tid = Num(stream.Id),
            Ts = start,
            Dur = waitForOtherRanks ? null : GpuTime(k.Micros),
            Args = args,
        };
        _events.Add(kernel);
        Flows(t, launchedAt, corr, kernel);
        if (!waitForOtherRanks)
        {
            stream.Free = start + kernel.Dur!.Value;
        }

        return kernel;
    }

    /// <summary>cudaMemcpyAsync and its copy on <paramref name="stream"/>.</summary>
    public void Memcpy(HostThread t, GpuStream stream, string kind, long bytes, double gbPerSecond)
    {
        var (corr, ext, launchedAt) = Runtime(t, "cudaMemcpyAsync", CudaMemcpyAsync, 7);
        var start = Math.Max(stream.Free, launchedAt + 3_100);
        var dur = GpuTime(1.2 + (bytes / gbPerSecond / 1000.0));
        var copy = new SampleEvent
        {
            Phase = "X",
            Category = "gpu_memcpy",
            Name = kind,
            Pid = Num(Device),
            Tid = Num(stream.Id),
            Ts = start,
            Dur = dur,
            Args =
            [
                ("External id", Num(ext)), ("device", Num(Device)), ("context", "1"), ("stream", Num(stream.Id)), ("correlation", Num(corr)),
                ("bytes", Num(bytes)), ("memory bandwidth (GB/s)", Fixed(bytes / (double)dur)),
            ],
        };
        _events.Add(copy);
        Flows(t, launchedAt, corr, copy);
        stream.Free = start + dur;
    }

    /// <summary>cudaMemsetAsync and its set on <paramref name="stream"/>.</summary>
    public void Memset(HostThread t, GpuStream stream, long bytes)
    {
        var (corr, ext, launchedAt) = Runtime(t, "cudaMemsetAsync", CudaMemsetAsync, 5);
        var start = Math.Max(stream.Free, launchedAt + 2_900);
        var dur = GpuTime(1.5 + (bytes / 2_600_000.0));
        var set = new SampleEvent
        {
            Phase = "X",
            Category = "gpu_memset",
            Name = "Memset (Device)",
            Pid = Num(Device),
            Tid = Num(stream.Id),
            Ts = start,
            Dur = dur,
            Args =
            [
                ("External id", Num(ext)), ("device", Num(Device)), ("context", "1"), ("stream", Num(stream.Id)), ("correlation", Num(corr)),
                ("bytes", Num(bytes)), ("memory bandwidth (GB/s)", Fixed(bytes / (double)dur)),
            ],
        };
        _events.Add(set);
        Flows(t, launchedAt, corr, set);
        stream.Free = start + dur;
    }

    /// <summary>cudaStreamSynchronize: the host waits until <paramref name="stream"/> has drained.</summary>
    public void Synchronize(HostThread t, GpuStream stream)
    {
        var start = t.Now;
        var end = Math.Max(stream.Free, start) + HostTime(3);
        Runtime(t, "cudaStreamSynchronize", CudaStreamSynchronize, (end - start) / 1000.0, exact: true);
    }

    /// <summary>cudaEventRecord on <paramref name="from"/> then cudaStreamWaitEvent on <paramref name="to"/>: <paramref name="to"/> waits for <paramref name="from"/>'s work so far.</summary>
    public void StreamWait(HostThread t, GpuStream from, GpuStream to)
    {
        Runtime(t, "cudaEventRecord", CudaEventRecord, 2.5);
        Runtime(t, "cudaStreamWaitEvent", CudaStreamWaitEvent, 2.2);
        to.Free = Math.Max(to.Free, from.Free);
    }

    private (long Correlation, long ExternalId, long Start) Runtime(HostThread t, string name, int cbid, double micros, bool exact = false)
    {
        var corr = _nextCorrelation++;
        var ext = t.Open.Count > 0 ? ExternalIdOf(t.Open.Peek()) : 0;
        var dur = exact ? (long)(micros * 1000) : HostTime(micros);
        var start = t.Now;
        _events.Add(new SampleEvent
        {
            Phase = "X",
            Category = "cuda_runtime",
            Name = name,
            Pid = Num(Pid),
            Tid = Num(t.Tid),
            Ts = t.Now,
            Dur = dur,
            Args = [("External id", Num(ext)), ("cbid", Num(cbid)), ("correlation", Num(corr))],
        });
        t.Now += dur + HostTime(0.8);
        return (corr, ext, start);
    }

    private void Flows(HostThread t, long launchedAt, long correlation, SampleEvent target)
    {
        _events.Add(new SampleEvent { Phase = "s", Category = "ac2g", Name = "ac2g", Pid = Num(Pid), Tid = Num(t.Tid), Ts = launchedAt, FlowId = correlation });
        _events.Add(new SampleEvent
        {
            Phase = "f",
            Category = "ac2g",
            Name = "ac2g",
            Pid = Num(Device),
            Tid = target.Tid,
            Ts = target.Ts,
            FlowId = correlation,
            BindEnclosing = true,
        });
    }

    private static long ExternalIdOf(SampleEvent e) => long.Parse(e.Args![0].Value, CultureInfo.InvariantCulture);

    public static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);

    public static string Fixed(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Dim(int[] d) => $"[{d[0]}, {d[1]}, {d[2]}]";
}

/// <summary>record_shapes arguments of one op: raw JSON arrays.</summary>
internal sealed record Shapes(string Dims, string Types, string Strides, string Concrete)
{
    /// <summary>Shapes of tensors (row-major strides), with "" for non-tensor inputs given in <paramref name="scalars"/>.</summary>
    public static Shapes Of(string dtype, long[][] tensors, params string[] scalars)
    {
        var dims = new List<string>();
        var types = new List<string>();
        var strides = new List<string>();
        var concrete = new List<string>();
        foreach (var t in tensors)
        {
            dims.Add("[" + string.Join(", ", t) + "]");
            types.Add(SampleEvent.Quote(dtype));
            var s = new long[t.Length];
            long acc = 1;
            for (var i = t.Length - 1; i >= 0; i--)
            {
                s[i] = acc;
                acc *= t[i];
            }

            strides.Add("[" + string.Join(", ", s) + "]");
            concrete.Add("\"\"");
        }

        foreach (var scalar in scalars)
        {
            dims.Add("[]");
            types.Add("\"Scalar\"");
            strides.Add("[]");
            concrete.Add(SampleEvent.Quote(scalar));
        }

        return new Shapes("[" + string.Join(", ", dims) + "]", "[" + string.Join(", ", types) + "]",
            "[" + string.Join(", ", strides) + "]", "[" + string.Join(", ", concrete) + "]");
    }
}
