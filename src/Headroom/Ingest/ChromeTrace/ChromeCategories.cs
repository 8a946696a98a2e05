using Headroom.Model;

namespace Headroom.Ingest.ChromeTrace;

/// <summary>Where events of a Chrome-trace category go in the model.</summary>
internal enum CategorySide : byte
{
    Cpu,
    Gpu,
    TraceSpan,
    Unknown,
}

/// <summary>Maps the category names PyTorch's profiler (and its older and other-vendor variants) writes onto model kinds.</summary>
internal static class ChromeCategories
{
    public static (CategorySide Side, CpuEventKind Cpu, GpuEventKind Gpu) Classify(string category) => category switch
    {
        "cpu_op" or "Operator" or "operator" => (CategorySide.Cpu, CpuEventKind.Op, default),
        "user_annotation" or "cpu_user_annotation" => (CategorySide.Cpu, CpuEventKind.UserAnnotation, default),
        "cuda_runtime" or "Runtime" or "runtime" or "mtia_runtime" or "hip_runtime" or "xpu_runtime" or "privateuse1_runtime" => (CategorySide.Cpu, CpuEventKind.Runtime, default),
        "cuda_driver" or "hip_driver" or "privateuse1_driver" => (CategorySide.Cpu, CpuEventKind.Driver, default),
        "cuda_sync" => (CategorySide.Gpu, default, GpuEventKind.Sync),
        "python_function" or "python" => (CategorySide.Cpu, CpuEventKind.PythonFunction, default),
        "overhead" or "cpu_instant_event" or "fwdbwd" => (CategorySide.Cpu, CpuEventKind.Other, default),
        "kernel" or "Kernel" or "mtia_ccp_events" => (CategorySide.Gpu, default, GpuEventKind.Kernel),
        "gpu_memcpy" or "Memcpy" or "memcpy" => (CategorySide.Gpu, default, GpuEventKind.Memcpy),
        "gpu_memset" or "Memset" or "memset" => (CategorySide.Gpu, default, GpuEventKind.Memset),
        "gpu_user_annotation" => (CategorySide.Gpu, default, GpuEventKind.Annotation),
        "cuda_profiler_range" => (CategorySide.Gpu, default, GpuEventKind.ProfilerRange),
        "Trace" => (CategorySide.TraceSpan, default, default),
        _ => (CategorySide.Unknown, CpuEventKind.Other, default),
    };
}
