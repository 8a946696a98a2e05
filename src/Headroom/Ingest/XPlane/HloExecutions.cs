namespace Headroom.Ingest.XPlane;

/// <summary>
/// Groups the GPU kernels of an XSpace into executions of their HLO ops, once every plane has been read, and gives each
/// execution its cost from the embedded HLO module: the first kernel holds the cost, the others are linked to it
/// (<see cref="Model.RankTrace.DeviceOpExecutions"/>), so an op run as several kernels (MIOpen's Im3d2Col then a GEMM,
/// TransformerEngine's two workspace fills then three attention kernels) is charged once for the time of all.
/// <para>
/// The kernels of one op that follow each other on a stream form a run of one or more executions. When the launch of
/// every kernel of the run lies in exactly one host annotation of that op (XLA names each thunk's annotation after its
/// HLO instruction), an execution is the kernels launched in one annotation. Otherwise (several GPUs' threads running
/// annotations of the same op at once, or none recorded) the run is split into repetitions of its shortest repeating
/// kernel sequence: [fill, fill, dot, dq, convert] is one execution, [gemm, gemm] two. An execution whose own kernels
/// repeat ([k, k]) cannot be told from two executions that way, and counts as two.
/// </para>
/// </summary>
internal sealed class HloExecutions(HloModules modules)
{
    private readonly List<Kernel> _kernels = [];
    private readonly Dictionary<long, long> _launches = [];
    private readonly Dictionary<int, List<(long Start, long End)>> _hostSpans = [];
    private readonly Dictionary<int, bool> _isOpName = [];

    private readonly record struct Kernel(int Gpu, long Program, string Module, string Op, int OpName, int Name, long Correlation);

    /// <summary>A kernel (builder index <paramref name="gpu"/>) of HLO op <paramref name="op"/> ("" for a kernel of no op, which ends an execution), in stream order.</summary>
    public void AddKernel(int gpu, long program, string module, string op, int opName, int name, long correlation) =>
        _kernels.Add(new Kernel(gpu, program, module, op, opName, name, correlation));

    /// <summary>The end of a stream's line: no execution continues into the next line's kernels.</summary>
    public void EndStream() => _kernels.Add(new Kernel(-1, long.MinValue, "", "", -1, -1, -1));

    /// <summary>A host runtime call with a correlation id: a launch.</summary>
    public void AddLaunch(long correlation, long start) => _launches.TryAdd(correlation, start);

    /// <summary>A host annotation <paramref name="name"/> (text <paramref name="text"/>): kept when an HLO instruction has that name (a thunk's annotation).</summary>
    public void AddHostSpan(int name, string text, long start, long end)
    {
        if (!_hostSpans.TryGetValue(name, out var spans))
        {
            if (!_isOpName.TryGetValue(name, out var isOp))
            {
                isOp = modules.HasInstruction(text);
                _isOpName[name] = isOp;
            }

            if (!isOp)
            {
                return;
            }

            spans = [];
            _hostSpans[name] = spans;
        }

        spans.Add((start, end));
    }

    /// <summary>Costs the kernels' executions into <paramref name="builder"/>.</summary>
    public void Resolve(RankTraceBuilder builder)
    {
        foreach (var spans in _hostSpans.Values)
        {
            spans.Sort();
        }

        // Runs: consecutive kernels of one op on one stream; each run is one or more executions of the op.
        var run = new List<Kernel>();
        foreach (var k in _kernels)
        {
            if (run.Count > 0 && (k.Program, k.Module, k.Op) != (run[0].Program, run[0].Module, run[0].Op))
            {
                CostRun(run, builder);
                run.Clear();
            }

            if (k.Op.Length > 0)
            {
                run.Add(k);
            }
        }

        CostRun(run, builder);
    }

    /// <summary>
    /// Splits a run into executions, by the op's host annotation each kernel was launched in when every kernel has exactly
    /// one, else into repetitions of the shortest kernel sequence that repeats through the whole run; the first kernel of
    /// each execution holds the cost.
    /// </summary>
    private void CostRun(List<Kernel> run, RankTraceBuilder builder)
    {
        if (run.Count == 0 || modules.CostOf(run[0].Program, run[0].Module, run[0].Op) is not { } cost)
        {
            return;
        }

        var spans = run.Select(k => _launches.TryGetValue(k.Correlation, out var launch) ? SpanHolding(k.OpName, launch) : -1).ToArray();
        var byAnnotation = spans.All(s => s >= 0);
        var period = byAnnotation ? 0 : Period([.. run.Select(k => k.Name)]);
        var first = -1;
        for (var i = 0; i < run.Count; i++)
        {
            var starts = i == 0 || (byAnnotation ? spans[i] != spans[i - 1] : i % period == 0);
            if (starts)
            {
                first = run[i].Gpu;
                builder.CostGpu(first, cost);
            }
            else
            {
                builder.ContinueGpu(run[i].Gpu, first);
            }
        }
    }

    /// <summary>The length of the shortest sequence of kernel names whose repetitions make up <paramref name="names"/>.</summary>
    internal static int Period(IReadOnlyList<int> names)
    {
        for (var p = 1; p < names.Count; p++)
        {
            if (names.Count % p != 0)
            {
                continue;
            }

            var repeats = true;
            for (var i = p; i < names.Count && repeats; i++)
            {
                repeats = names[i] == names[i - p];
            }

            if (repeats)
            {
                return p;
            }
        }

        return names.Count;
    }

    /// <summary>
    /// Index of the one annotation named <paramref name="name"/> whose span holds <paramref name="time"/>; -1 when there
    /// is none or more than one (the threads driving other GPUs run annotations of the same op at the same time, and an
    /// XSpace does not say which thread launched which annotation's kernels).
    /// </summary>
    private int SpanHolding(int name, long time)
    {
        if (!_hostSpans.TryGetValue(name, out var spans))
        {
            return -1;
        }

        var last = SortedSpans.LastStartingBy(spans.Count, i => spans[i].Start, time);

        var found = -1;
        for (var i = last; i >= 0 && i > last - 64; i--)
        {
            if (time < spans[i].End)
            {
                if (found >= 0)
                {
                    return -1; // ambiguous
                }

                found = i;
            }
        }

        return found;
    }
}
