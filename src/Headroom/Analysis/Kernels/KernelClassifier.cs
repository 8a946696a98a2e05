using System.Buffers;

namespace Headroom.Analysis.Kernels;

/// <summary>
/// Assigns a <see cref="KernelCategory"/> to a GPU kernel or device-activity name as it appears in a
/// profiler trace (CUPTI, roctracer, Kineto). Pure, thread-safe and free of per-call allocations (long
/// names borrow a pooled buffer); intended to be called once per distinct name and cached by the caller.
/// </summary>
/// <remarks>
/// <para>Classification runs in four ordered stages; the first rule that matches wins.</para>
/// <list type="number">
/// <item><description>Whole-name transfer rules: memcpy/memset names are <see cref="KernelCategory.Memory"/>,
/// NCCL-family names are <see cref="KernelCategory.Communication"/>.</description></item>
/// <item><description>TorchInductor names (<c>triton_poi_</c>, <c>triton_red_</c>, <c>triton_per_</c>,
/// <c>triton_tem_</c>, <c>triton_for_</c>) are classified by their generated prefix.</description></item>
/// <item><description>Primary-key rules: the key is the qualified function name without return type,
/// template arguments and parameters (for example <c>at::native::vectorized_elementwise_kernel</c>), or the
/// nested name of an Itanium-mangled symbol. Rules run in the order Memory, Communication, exceptions,
/// Attention, Normalization, Convolution, Gemm, Reduction, Elementwise, so that an implicit-GEMM convolution
/// is a convolution and an elementwise kernel whose functor mentions "reduce" stays elementwise.</description></item>
/// <item><description>Whole-name fallback rules with distinctive vendor tokens only, for names whose key is a
/// generic wrapper such as <c>cutlass::Kernel</c> or <c>ck_tile::kentry</c>.</description></item>
/// </list>
/// <para>Softmax, pooling, scans, sorts, top-k and losses are <see cref="KernelCategory.Reduction"/>;
/// copies, casts, indexing, embedding lookups, layout transposes and fused optimizer steps are
/// <see cref="KernelCategory.Elementwise"/>.</para>
/// </remarks>
public static class KernelClassifier
{
    private const string AnonymousNamespace = "(anonymous namespace)";
    private const int StackBufferLength = 512;

    private enum Match
    {
        Prefix,
        Contains,
        Exact,

        /// <summary>Contains the pattern at a position not immediately followed by the exclusion.</summary>
        ContainsNotFollowedBy,

        /// <summary>Contains the pattern at a position not immediately preceded by the exclusion.</summary>
        ContainsNotPrecededBy,
    }

    /// <summary>A pattern matched ordinally against lower-cased text, so it is stored lower-cased.</summary>
    private readonly record struct Rule(KernelCategory Category, Match Match, string Pattern, string Exclusion = "")
    {
        public string Pattern { get; } = Pattern.ToLowerInvariant();

        public string Exclusion { get; } = Exclusion.ToLowerInvariant();

        public bool IsMatch(ReadOnlySpan<char> text) => Match switch
        {
            Match.Prefix => text.StartsWith(Pattern, StringComparison.Ordinal),
            Match.Contains => text.Contains(Pattern, StringComparison.Ordinal),
            Match.Exact => text.SequenceEqual(Pattern),
            Match.ContainsNotFollowedBy => ContainsOccurrence(text, Pattern, Exclusion, followedBy: true),
            Match.ContainsNotPrecededBy => ContainsOccurrence(text, Pattern, Exclusion, followedBy: false),
            _ => false,
        };
    }

    private static readonly string[] NormalizationTokens =
    [
        "layer_norm", "layernorm", "rms_norm", "rmsnorm", "batch_norm", "batchnorm", "group_norm", "groupnorm",
        "instance_norm", "instancenorm", "bn_fw", "bn_bw", "l2norm",
        // PyTorch layer/group norm helpers: GammaBetaBackward*, cuComputePartGradGammaBeta, RowwiseMoments,
        // Compute(Backward)FusedParams, ComputeInternalGradients.
        "gammabeta", "rowwisemoments", "fusedparams", "computeinternalgradients",
    ];

    /// <summary>Stage 1: rules on the whole name for copy-engine and collective activity.</summary>
    private static readonly Rule[] TransferRules =
    [
        .. Contains(KernelCategory.Memory, "memcpy", "memset"),
        .. Contains(KernelCategory.Communication, "nccl", "rccl", "hccl", "msccl", "nvshmem", "deep_ep"),
    ];

    /// <summary>Stage 3: rules on the primary key, in priority order.</summary>
    private static readonly Rule[] KeyRules =
    [
        // DMA requests, ROCm copy/fill activities and HIP blit kernels (__amd_rocclr_copyBuffer).
        new(KernelCategory.Memory, Match.Prefix, "dma"),
        .. Contains(KernelCategory.Memory, "copyhostto", "copydeviceto", "copybuffer", "fillbuffer"),

        // Custom (non-NCCL) collectives, e.g. vLLM/sglang/aiter cross_device_reduce_1stage.
        .. Contains(KernelCategory.Communication,
            "allreduce", "all_reduce", "allgather", "all_gather", "reducescatter", "reduce_scatter",
            "alltoall", "all_to_all", "sendrecv", "cross_device_reduce"),

        // Exceptions to broader rules below.
        // KV-cache writes mention flash/mla but only copy data; embedding lookups/updates are gathers
        // and scatters even when their names mention sums or pooling.
        .. Contains(KernelCategory.Elementwise,
            "reshape_and_cache", "concat_and_cache", "store_kvcache", "kv_indices", "embedding"),
        // vLLM unified attention: merges the split-KV partial results of kernel_unified_attention_3d.
        new(KernelCategory.Attention, Match.Exact, "reduce_segments"),
        // Binary search per element, not a sort.
        new(KernelCategory.Elementwise, Match.Contains, "searchsorted"),
        // triton_kernels MoE: sums the top-k expert outputs after matmul_ogs.
        new(KernelCategory.Reduction, Match.Contains, "finalize_matmul"),

        .. Contains(KernelCategory.Attention,
            "attention", "attn", "fmha", "flash_fwd", "flash_bwd", "flashattn", "flash_attn", "flashmla", "sdpa",
            "mha_fwd", "mha_bwd", "mla_", "_mla", "prefillwith", "decodewith",
            "_fwd_kernel_stage", "_fwd_grouped_kernel_stage"),

        .. Contains(KernelCategory.Normalization, NormalizationTokens),

        // Before Gemm: implicit-GEMM convolutions (implicit_convolve_sgemm, xmma_fprop_implicit_gemm, igemm_fwd).
        new(KernelCategory.Convolution, Match.ContainsNotFollowedBy, "conv", "er"),
        .. Contains(KernelCategory.Convolution,
            "winograd", "fprop", "dgrad", "wgrad", "cudnn_", "cask_cudnn", "igemm_",
            "im2col", "col2im", "vol2col", "col2vol"),
        // cuDNN FFT convolution pieces.
        .. Prefix(KernelCategory.Convolution, "fft1d_", "fft2d_", "flip_filter", "pointwise_mult_and_sum_complex"),

        new(KernelCategory.Gemm, Match.ContainsNotPrecededBy, "gemm", "fb"),
        new(KernelCategory.Gemm, Match.Prefix, "cijk_"),
        .. Contains(KernelCategory.Gemm,
            "gemv", "nvjet", "matmul", "splitkreduce", "scaled_mm", "wvsplitk", "fused_moe", "fmoe",
            "cublas", "hipblaslt", "rocblas"),
        // cuBLAS BLAS-1/2 helpers seen next to gemv launches.
        .. Prefix(KernelCategory.Gemm, "dot_kernel", "reduce_1block_kernel"),

        .. Contains(KernelCategory.Reduction,
            "reduce", "softmax", "max_pool", "avg_pool", "maxpool", "avgpool", "adaptive_avg", "adaptive_max",
            "adaptive_average", "pooling", "scan", "sort", "topk", "top_k", "argmax", "argmin", "cumsum",
            "cumprod", "histogram", "histc", "loss", "criterion", "welford", "deviceselect", "compact",
            "unique", "amax", "_sum", "sum_", "moe_align"),

        .. Contains(KernelCategory.Elementwise,
            "elementwise", "multi_tensor_apply", "foreach", "copy", "cast", "index", "indices",
            "gather", "scatter", "transpose", "permute", "nchwtonhwc", "nhwctonchw", "dropout",
            "gelu", "silu", "relu", "swiglu", "geglu", "act_and_mul", "activation", "sigmoid", "tanh",
            "softplus", "adam", "sgd", "adagrad", "optimizer", "rotary", "quant", "scale", "subtensorop",
            "optensor", "tensorgeneric", "clamp", "where", "masked", "arange", "upsample", "pointwise",
            "philox", "bernoulli", "convert", "fp8"),
        // "fill" but not "prefill", which names attention phases.
        new(KernelCategory.Elementwise, Match.ContainsNotPrecededBy, "fill", "pre"),
        new(KernelCategory.Elementwise, Match.Prefix, "scal_kernel"),
    ];

    /// <summary>Stage 4: whole-name fallback with distinctive tokens only (template arguments are noisy).</summary>
    private static readonly Rule[] NameRules =
    [
        .. Contains(KernelCategory.Attention, "fmha", "attention", "flash_fwd", "flash_bwd", "flashattn", "sdpa"),
        .. Contains(KernelCategory.Normalization, NormalizationTokens),
        new(KernelCategory.Convolution, Match.ContainsNotFollowedBy, "conv", "er"),
        .. Contains(KernelCategory.Convolution, "fprop", "dgrad", "wgrad", "winograd", "cudnn_"),
        new(KernelCategory.Gemm, Match.ContainsNotPrecededBy, "gemm", "fb"),
        .. Contains(KernelCategory.Gemm, "gemv", "cublas", "cutlass", "xmma", "matmul", "cijk_"),
        .. Contains(KernelCategory.Reduction, "reduce", "softmax", "scan", "sort", "topk"),
        new(KernelCategory.Elementwise, Match.Contains, "elementwise"),
    ];

    /// <summary>
    /// Classifies a kernel or device-activity name.
    /// </summary>
    /// <param name="kernelName">The event name as recorded in the trace; demangled, mangled or plain.</param>
    /// <returns>The category of the first matching rule, or <see cref="KernelCategory.Other"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="kernelName"/> is <see langword="null"/>.</exception>
    public static KernelCategory Classify(string kernelName)
    {
        ArgumentNullException.ThrowIfNull(kernelName);

        ReadOnlySpan<char> name = kernelName.AsSpan().Trim();
        if (name.IsEmpty)
        {
            return KernelCategory.Other;
        }

        if (name[0] == '%' && HloCategory(name) is { } hlo)
        {
            return hlo;
        }

        // Match ordinally on a lower-cased copy; invariant lower-casing keeps every index in place.
        char[]? rented = null;
        Span<char> lower = name.Length <= StackBufferLength
            ? stackalloc char[StackBufferLength]
            : (rented = ArrayPool<char>.Shared.Rent(name.Length));
        try
        {
            lower = lower[..name.Length];
            name.ToLowerInvariant(lower);
            return Classify(lower, lower[PrimaryKey(name)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// An XLA HLO instruction as a TPU's XLA Ops line names it (<c>%all-reduce.1 = f32[8]{0} all-reduce(...)</c>): by
    /// opcode — collectives and send/recv are communication, copies memory, convolution and dot themselves; a fusion
    /// by its instruction name (convolution, dot/matmul, reduce), else elementwise. Null when the text is not HLO.
    /// </summary>
    private static KernelCategory? HloCategory(ReadOnlySpan<char> text)
    {
        if (!Costs.HloCostModel.TryOpcode(text, out var eq, out var start, out var open))
        {
            return null;
        }

        var instruction = text[1..eq];
        var rest = text[(eq + 3)..];
        var opcode = rest[start..open];
        if (opcode.StartsWith("all-", StringComparison.Ordinal) || opcode.StartsWith("reduce-scatter", StringComparison.Ordinal)
            || opcode.StartsWith("collective-", StringComparison.Ordinal) || opcode is "send" or "send-done" or "recv" or "recv-done")
        {
            return KernelCategory.Communication;
        }

        if (opcode.StartsWith("copy", StringComparison.Ordinal) || opcode is "infeed" or "outfeed")
        {
            return KernelCategory.Memory; // copies, and host transfers (infeed/outfeed)
        }

        var subject = opcode is "fusion" ? instruction : opcode;
        return subject.Contains("convolution", StringComparison.Ordinal) ? KernelCategory.Convolution
            : subject.Contains("dot", StringComparison.Ordinal) || subject.Contains("matmul", StringComparison.Ordinal) ? KernelCategory.Gemm
            : subject.Contains("reduce", StringComparison.Ordinal) ? KernelCategory.Reduction
            : KernelCategory.Elementwise;
    }

    private static KernelCategory Classify(ReadOnlySpan<char> name, ReadOnlySpan<char> key)
    {
        if (TryMatch(name, TransferRules, out KernelCategory category)
            || TryClassifyInductor(key, out category)
            || TryMatch(key, KeyRules, out category)
            || TryMatch(name, NameRules, out category))
        {
            return category;
        }

        return KernelCategory.Other;
    }

    /// <summary>
    /// TorchInductor kernels are named <c>triton_{poi|red|per|tem|for}_fused_&lt;aten ops&gt;_&lt;n&gt;</c>.
    /// A normalization op in the fused-op list wins over the prefix, including the decomposed
    /// RMS/layer norm (<c>mean</c> and <c>rsqrt</c> in one kernel).
    /// </summary>
    private static bool TryClassifyInductor(ReadOnlySpan<char> key, out KernelCategory category)
    {
        category = KernelCategory.Other;
        if (!key.StartsWith("triton_", StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> kind = key["triton_".Length..];
        bool pointwise = kind.StartsWith("poi_", StringComparison.Ordinal);
        bool reduction = kind.StartsWith("red_", StringComparison.Ordinal)
            || kind.StartsWith("per_", StringComparison.Ordinal);

        if (pointwise || reduction)
        {
            bool isNorm = ContainsAny(kind, NormalizationTokens)
                || (kind.Contains("mean", StringComparison.Ordinal)
                    && kind.Contains("rsqrt", StringComparison.Ordinal));
            category = isNorm ? KernelCategory.Normalization
                : pointwise ? KernelCategory.Elementwise
                : KernelCategory.Reduction;
            return true;
        }

        if (kind.StartsWith("tem_", StringComparison.Ordinal))
        {
            category = ContainsOccurrence(kind, "conv", "er", followedBy: true) ? KernelCategory.Convolution
                : kind.Contains("attention", StringComparison.Ordinal) ? KernelCategory.Attention
                : KernelCategory.Gemm;
            return true;
        }

        if (kind.StartsWith("for_", StringComparison.Ordinal))
        {
            category = KernelCategory.Elementwise;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The range of the qualified function name without return type, template arguments and parameter
    /// list, e.g. <c>void at::native::reduce_kernel&lt;512, 1, ...&gt;(...)</c> gives
    /// <c>at::native::reduce_kernel</c>. Names without templates or parameters are used whole.
    /// </summary>
    private static Range PrimaryKey(ReadOnlySpan<char> name)
    {
        if (name.StartsWith("_Z", StringComparison.Ordinal))
        {
            return MangledKey(name);
        }

        int depth = 0;
        int start = 0;
        int end = -1;
        for (int i = 0; i < name.Length; i++)
        {
            switch (name[i])
            {
                case '(' when name[i..].StartsWith(AnonymousNamespace, StringComparison.Ordinal):
                    i += AnonymousNamespace.Length - 1;
                    break;
                case '(' when depth == 0:
                    return Trimmed(name, start, end < 0 ? i : end);
                case '<':
                    if (depth == 0 && end < 0)
                    {
                        end = i;
                    }

                    depth++;
                    break;
                case '(':
                    depth++;
                    break;
                case '>' or ')':
                    depth = Math.Max(0, depth - 1);
                    break;
                case ' ' when depth == 0:
                    // A return type or qualifier precedes the name: "void f", "std::enable_if<...>::type f".
                    start = i + 1;
                    end = -1;
                    break;
            }
        }

        return Trimmed(name, start, end < 0 ? name.Length : end);
    }

    /// <summary>
    /// The range of the nested name of an Itanium-mangled symbol, e.g.
    /// <c>_ZN5aiter24add_rmsnorm_quant_kernelI...</c> gives <c>aiter24add_rmsnorm_quant_kernel</c>
    /// (the length prefixes of inner components stay in place).
    /// </summary>
    private static Range MangledKey(ReadOnlySpan<char> name)
    {
        int i = 2;
        bool nested = i < name.Length && name[i] == 'N';
        if (nested)
        {
            i++;
            while (i < name.Length && name[i] is 'K' or 'V' or 'r')
            {
                i++;
            }
        }

        int start = -1;
        int end = -1;
        while (i < name.Length && char.IsAsciiDigit(name[i]))
        {
            int length = 0;
            while (i < name.Length && char.IsAsciiDigit(name[i]))
            {
                length = (length * 10) + (name[i] - '0');
                if (length > name.Length)
                {
                    return Range.All;
                }

                i++;
            }

            if (start < 0)
            {
                start = i;
            }

            i += length;
            if (i > name.Length)
            {
                return Range.All;
            }

            end = i;
            if (!nested)
            {
                break;
            }
        }

        return start < 0 ? Range.All : start..end;
    }

    private static Range Trimmed(ReadOnlySpan<char> name, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(name[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(name[end - 1]))
        {
            end--;
        }

        return end > start ? start..end : Range.All;
    }

    private static bool TryMatch(ReadOnlySpan<char> text, Rule[] rules, out KernelCategory category)
    {
        foreach (Rule rule in rules)
        {
            if (rule.IsMatch(text))
            {
                category = rule.Category;
                return true;
            }
        }

        category = KernelCategory.Other;
        return false;
    }

    private static bool ContainsAny(ReadOnlySpan<char> text, string[] tokens)
    {
        foreach (string token in tokens)
        {
            if (text.Contains(token, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsOccurrence(ReadOnlySpan<char> text, string pattern, string exclusion, bool followedBy)
    {
        int offset = 0;
        while (offset <= text.Length - pattern.Length)
        {
            int index = text[offset..].IndexOf(pattern, StringComparison.Ordinal);
            if (index < 0)
            {
                return false;
            }

            index += offset;
            bool excluded = followedBy
                ? text[(index + pattern.Length)..].StartsWith(exclusion, StringComparison.Ordinal)
                : text[..index].EndsWith(exclusion, StringComparison.Ordinal);
            if (!excluded)
            {
                return true;
            }

            offset = index + 1;
        }

        return false;
    }

    private static IEnumerable<Rule> Contains(KernelCategory category, params string[] patterns) =>
        patterns.Select(pattern => new Rule(category, Match.Contains, pattern));

    private static IEnumerable<Rule> Prefix(KernelCategory category, params string[] patterns) =>
        patterns.Select(pattern => new Rule(category, Match.Prefix, pattern));
}
