namespace Headroom.Model;

/// <summary>What a host-side (CPU) event is.</summary>
public enum CpuEventKind : byte
{
    /// <summary>A framework operator (<c>cpu_op</c>, legacy <c>Operator</c>).</summary>
    Op,
    /// <summary>A user or profiler annotation (<c>user_annotation</c>), including <c>ProfilerStep#N</c>.</summary>
    UserAnnotation,
    /// <summary>A CUDA/HIP runtime call (<c>cuda_runtime</c>, legacy <c>Runtime</c>, <c>mtia_runtime</c>).</summary>
    Runtime,
    /// <summary>A driver API call (<c>cuda_driver</c>).</summary>
    Driver,
    /// <summary>A Python frame (<c>python_function</c>).</summary>
    PythonFunction,
    /// <summary>Any other complete event on a host thread (e.g. <c>overhead</c>).</summary>
    Other,
}

/// <summary>What a device-side (GPU/accelerator) event is.</summary>
public enum GpuEventKind : byte
{
    /// <summary>A compute kernel (<c>kernel</c>, legacy <c>Kernel</c>, MTIA <c>mtia_ccp_events</c>).</summary>
    Kernel,
    /// <summary>A memory copy (<c>gpu_memcpy</c>, legacy <c>Memcpy</c>).</summary>
    Memcpy,
    /// <summary>A memory set (<c>gpu_memset</c>, legacy <c>Memset</c>).</summary>
    Memset,
    /// <summary>A synchronisation recorded on the device timeline (<c>cuda_sync</c>: Stream Sync, Event Sync, Context Sync, Stream Wait Event); not device work.</summary>
    Sync,
    /// <summary>A GPU-side annotation span (<c>gpu_user_annotation</c>); not device work.</summary>
    Annotation,
    /// <summary>A CUPTI profiler range (<c>cuda_profiler_range</c>); not a kernel.</summary>
    ProfilerRange,
}
