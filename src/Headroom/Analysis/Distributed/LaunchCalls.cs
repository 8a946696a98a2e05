using System.Text.RegularExpressions;

namespace Headroom.Analysis.Distributed;

/// <summary>What a recognised launch call submits to the device.</summary>
public enum LaunchCallKind
{
    /// <summary>A kernel (<c>cudaLaunchKernel</c>, <c>cuLaunchKernel</c>, <c>hipLaunchKernel</c>, <c>hipExtModuleLaunchKernel</c>, MTIA <c>runFunction</c>, ...).</summary>
    Kernel,
    /// <summary>An asynchronous copy (<c>cudaMemcpyAsync</c>, <c>hipMemcpyAsync</c>, ...).</summary>
    Memcpy,
    /// <summary>An asynchronous set (<c>cudaMemsetAsync</c>, <c>hipMemsetAsync</c>, ...).</summary>
    Memset,
    /// <summary>A graph replay (<c>cudaGraphLaunch</c>, <c>hipGraphLaunch</c>) or a compiled program's enqueue (a TPU's <c>DoEnqueueProgram</c>): one call, many activities.</summary>
    Graph,
}

/// <summary>
/// Recognises the host calls that enqueue device work asynchronously, by name. Headroom's set covers the CUDA runtime and
/// driver, HIP (ROCm traces write HIP calls under the <c>cuda_runtime</c> category) and MTIA; HTA's set is its five names.
/// </summary>
/// <remarks>
/// Synchronous calls that also produce device work (<c>cudaMemcpy</c>, <c>hipMemcpyWithStream</c>, <c>hipMemset</c>) are not launch
/// calls: their duration includes the device work itself, so they would look launch-bound by construction. Calls that correlate
/// with device-side markers rather than work (<c>cudaEventRecord</c>, MTIA <c>recordEvent</c>) are not launch calls either.
/// MTIA's <c>enqueueCommand memcpyHtoDAsync</c>/<c>memcpyDtoHAsync</c> are copies, usually split into several <c>dma_request</c> activities.
/// </remarks>
public static partial class LaunchCalls
{
    /// <summary>The calls HTA 0.6.1's <c>get_cuda_kernel_launch_stats</c> recognises (exact names, any category).</summary>
    public static IReadOnlySet<string> HtaNames { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "cudaLaunchKernel", "cudaLaunchKernelExC", "cudaMemsetAsync", "cudaMemcpyAsync", "runFunction - job_prep_and_submit_for_execution",
    };

    // cudaLaunchKernel(_ptsz), cudaLaunchKernelExC, cudaLaunchCooperativeKernel, cuLaunchKernel(Ex), cuLaunchCooperativeKernel,
    // hipLaunchKernel, hipExtLaunchKernel, hipModuleLaunchKernel, hipExtModuleLaunchKernel, hipHccModuleLaunchKernel, ...
    [GeneratedRegex(@"^(cuda|cu|hip)\w*Launch\w*Kernel", RegexOptions.CultureInvariant)]
    private static partial Regex KernelLaunch();

    [GeneratedRegex(@"^(cuda|cu|hip)GraphLaunch", RegexOptions.CultureInvariant)]
    private static partial Regex GraphLaunch();

    // cudaMemcpyAsync, cudaMemcpy2DAsync, cudaMemcpyPeerAsync, cuMemcpyHtoDAsync_v2, hipMemcpyAsync, hipMemcpyDtoHAsync, ...
    [GeneratedRegex(@"^(cuda|cu|hip)Memcpy\w*Async", RegexOptions.CultureInvariant)]
    private static partial Regex MemcpyLaunch();

    // cudaMemsetAsync, cudaMemset2DAsync, cuMemsetD32Async, hipMemsetAsync, hipMemsetD8Async, ...
    [GeneratedRegex(@"^(cuda|cu|hip)Memset\w*Async", RegexOptions.CultureInvariant)]
    private static partial Regex MemsetLaunch();

    /// <summary>What the call named <paramref name="name"/> launches under Headroom's conventions; null when it is not a launch call.</summary>
    public static LaunchCallKind? Classify(string name)
    {
        if (KernelLaunch().IsMatch(name) || name == "runFunction - job_prep_and_submit_for_execution")
        {
            return LaunchCallKind.Kernel;
        }

        if (GraphLaunch().IsMatch(name) || name == "DoEnqueueProgram")
        {
            return LaunchCallKind.Graph;
        }

        if (MemcpyLaunch().IsMatch(name) || name is "enqueueCommand memcpyHtoDAsync" or "enqueueCommand memcpyDtoHAsync")
        {
            return LaunchCallKind.Memcpy;
        }

        return MemsetLaunch().IsMatch(name) ? LaunchCallKind.Memset : null;
    }

    /// <summary>What the call named <paramref name="name"/> launches under HTA's conventions; null unless it is one of <see cref="HtaNames"/>.</summary>
    public static LaunchCallKind? ClassifyHta(string name) => HtaNames.Contains(name) ? Classify(name) : null;
}
