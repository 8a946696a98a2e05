namespace Headroom.Analysis.Distributed;

/// <summary>
/// Canonical collective names (<c>all_reduce</c>, <c>all_gather</c>, ...), read from the three places a trace names a
/// collective: PyTorch's <c>record_param_comms</c> "Collective name" (<c>allreduce</c>, <c>_allgather_base</c>,
/// <c>all_gather_into_tensor_coalesced</c>, ...), the host op around the launch (<c>nccl:all_to_all</c>,
/// <c>c10d::allreduce_</c>) and the NCCL/RCCL/MSCCL kernel name (<c>ncclKernel_AllReduce_RING_LL_Sum_float</c>,
/// <c>ncclDevKernel_SendRecv</c>).
/// </summary>
public static class CollectiveNames
{
    /// <summary>All-reduce.</summary>
    public const string AllReduce = "all_reduce";
    /// <summary>All-gather (also <c>_allgather_base</c>, <c>all_gather_into_tensor</c>).</summary>
    public const string AllGather = "all_gather";
    /// <summary>Reduce-scatter (also <c>_reduce_scatter_base</c>).</summary>
    public const string ReduceScatter = "reduce_scatter";
    /// <summary>All-to-all (also <c>alltoall_base</c>, <c>all_to_allv</c>).</summary>
    public const string AllToAll = "all_to_all";
    /// <summary>Broadcast.</summary>
    public const string Broadcast = "broadcast";
    /// <summary>Reduce to one root.</summary>
    public const string Reduce = "reduce";
    /// <summary>Gather to one root.</summary>
    public const string Gather = "gather";
    /// <summary>Scatter from one root.</summary>
    public const string Scatter = "scatter";
    /// <summary>Point-to-point send.</summary>
    public const string Send = "send";
    /// <summary>Point-to-point receive.</summary>
    public const string Recv = "recv";
    /// <summary>NCCL's grouped send/receive kernel (what all-to-all and batched P2P run as when nothing names them better).</summary>
    public const string SendRecv = "send_recv";
    /// <summary>Barrier.</summary>
    public const string Barrier = "barrier";
    /// <summary>A communication kernel whose collective cannot be told from the trace.</summary>
    public const string Unknown = "unknown";

    private static readonly (string Token, string Name)[] Compound =
    [
        ("allreduce", AllReduce), ("crossdevicereduce", AllReduce), ("reducescatter", ReduceScatter), ("allgather", AllGather),
        ("alltoall", AllToAll), ("sendrecv", SendRecv), ("broadcast", Broadcast),
    ];

    private static readonly (string Token, string Name)[] Leading =
    [
        ("reduce", Reduce), ("gather", Gather), ("scatter", Scatter), ("send", Send), ("recv", Recv), ("barrier", Barrier),
    ];

    private static readonly string[] OpPrefixes = ["nccl:", "rccl:", "gloo:", "ucc:", "mpi:", "c10d::"];

    /// <summary>
    /// The canonical name of a collective as PyTorch names it (record_param_comms "Collective name", or an op name with
    /// its <c>nccl:</c>/<c>c10d::</c> prefix), or null when the text names no known collective. Case, underscores and
    /// the prefix are ignored: <c>allreduce_coalesced</c> and <c>c10d::allreduce_</c> are both <c>all_reduce</c>.
    /// </summary>
    public static string? Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = name.AsSpan().Trim();
        foreach (var prefix in OpPrefixes)
        {
            if (text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                text = text[prefix.Length..];
                break;
            }
        }

        var key = Compact(text);
        foreach (var (token, canonical) in Compound)
        {
            if (key.Contains(token, StringComparison.Ordinal))
            {
                return canonical;
            }
        }

        foreach (var (token, canonical) in Leading)
        {
            if (key.StartsWith(token, StringComparison.Ordinal))
            {
                return canonical;
            }
        }

        return null;
    }

    /// <summary>
    /// The collective a host op runs, when it is one of the ops PyTorch wraps a collective in: <c>nccl:all_reduce</c>,
    /// <c>c10d::_allgather_base_</c>, <c>gloo:broadcast</c> (a <c>nccl:</c>, <c>rccl:</c>, <c>gloo:</c>, <c>ucc:</c>,
    /// <c>mpi:</c> or <c>c10d::</c> prefix is required). Null otherwise.
    /// </summary>
    public static string? FromOpName(string opName)
    {
        ArgumentNullException.ThrowIfNull(opName);
        foreach (var prefix in OpPrefixes)
        {
            if (opName.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return Normalize(opName);
            }
        }

        return null;
    }

    /// <summary>
    /// The collective a communication kernel runs, from its name: for NCCL-family kernels the word after
    /// <c>Kernel_</c> (<c>ncclKernel_AllReduce_RING_LL_Sum_float</c> is <c>all_reduce</c>, <c>ncclDevKernel_SendRecv</c> is
    /// <c>send_recv</c>, <c>ncclKernel_Broadcast_...</c> is <c>broadcast</c>); for other communication kernels a compound
    /// word anywhere in the name (<c>cross_device_reduce_1stage</c> is <c>all_reduce</c>). Null when the name does not say.
    /// </summary>
    public static string? FromKernelName(string kernelName)
    {
        ArgumentNullException.ThrowIfNull(kernelName);
        var name = kernelName.AsSpan();
        var at = name.IndexOf("kernel_", StringComparison.OrdinalIgnoreCase);
        var nccl = name.Contains("nccl", StringComparison.OrdinalIgnoreCase) || name.Contains("rccl", StringComparison.OrdinalIgnoreCase);
        if (nccl && at >= 0)
        {
            var token = name[(at + "kernel_".Length)..];
            var end = token.IndexOfAny('_', '(', '<');
            if (end >= 0)
            {
                token = token[..end];
            }

            return Normalize(token.ToString());
        }

        var key = Compact(name);
        foreach (var (token, canonical) in Compound)
        {
            if (key.Contains(token, StringComparison.Ordinal))
            {
                return canonical;
            }
        }

        return null;
    }

    /// <summary>Lower case without underscores, spaces and dashes.</summary>
    private static string Compact(ReadOnlySpan<char> text)
    {
        Span<char> buffer = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        var n = 0;
        foreach (var c in text)
        {
            if (c is not ('_' or ' ' or '-'))
            {
                buffer[n++] = char.ToLowerInvariant(c);
            }
        }

        return new string(buffer[..n]);
    }
}
