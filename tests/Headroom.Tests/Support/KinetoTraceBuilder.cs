using System.Globalization;
using System.Text;

namespace Headroom.Tests.Support;

/// <summary>Builds small synthetic Kineto traces for unit tests. Times are in microseconds, as Kineto writes them.</summary>
internal sealed class KinetoTraceBuilder
{
    private const int HostPid = 100;
    private readonly List<string> _events = [];

    private static string N(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Q(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    public KinetoTraceBuilder Op(string name, double ts, double dur, int tid = 1, string? inputDims = null)
    {
        var args = inputDims is null ? "" : $", \"args\": {{\"Input Dims\": {inputDims}}}";
        _events.Add($"{{\"ph\": \"X\", \"cat\": \"cpu_op\", \"name\": {Q(name)}, \"pid\": {HostPid}, \"tid\": {tid}, \"ts\": {N(ts)}, \"dur\": {N(dur)}{args}}}");
        return this;
    }

    public KinetoTraceBuilder Step(int number, double ts, double dur, int tid = 1)
    {
        _events.Add($"{{\"ph\": \"X\", \"cat\": \"user_annotation\", \"name\": \"ProfilerStep#{number}\", \"pid\": {HostPid}, \"tid\": {tid}, \"ts\": {N(ts)}, \"dur\": {N(dur)}}}");
        return this;
    }

    public KinetoTraceBuilder Launch(long correlation, double ts, double dur = 2, int tid = 1, string name = "cudaLaunchKernel")
    {
        _events.Add($"{{\"ph\": \"X\", \"cat\": \"cuda_runtime\", \"name\": {Q(name)}, \"pid\": {HostPid}, \"tid\": {tid}, \"ts\": {N(ts)}, \"dur\": {N(dur)}, \"args\": {{\"correlation\": {correlation}}}}}");
        return this;
    }

    public KinetoTraceBuilder Kernel(string name, double ts, double dur, long correlation = -1, int stream = 7, string category = "kernel")
    {
        var corr = correlation >= 0 ? $", \"correlation\": {correlation}" : "";
        _events.Add($"{{\"ph\": \"X\", \"cat\": {Q(category)}, \"name\": {Q(name)}, \"pid\": 0, \"tid\": {stream}, \"ts\": {N(ts)}, \"dur\": {N(dur)}, \"args\": {{\"device\": 0, \"stream\": {stream}{corr}}}}}");
        return this;
    }

    /// <summary>An op enclosing a launch, and the kernel it launched: the usual triple.</summary>
    public KinetoTraceBuilder LaunchedKernel(string op, string kernel, long correlation, double hostTs, double kernelTs, double kernelDur, int stream = 7, string category = "kernel")
    {
        Op(op, hostTs, 10);
        Launch(correlation, hostTs + 1, 5);
        return Kernel(kernel, kernelTs, kernelDur, correlation, stream, category);
    }

    public KinetoTraceBuilder Raw(string eventJson)
    {
        _events.Add(eventJson);
        return this;
    }

    public int EventCount => _events.Count;

    public string ToJson(int? rank = null, string device = "NVIDIA H100 80GB HBM3")
    {
        var sb = new StringBuilder();
        sb.Append("{\n  \"schemaVersion\": 1,\n");
        sb.Append($"  \"deviceProperties\": [{{\"id\": 0, \"name\": {Q(device)}, \"totalGlobalMem\": 85029158912, \"computeMajor\": 9, \"computeMinor\": 0, \"numSms\": 132}}],\n");
        if (rank is int r)
        {
            sb.Append($"  \"distributedInfo\": {{\"backend\": \"nccl\", \"rank\": {r}, \"world_size\": 2}},\n");
        }

        sb.Append("  \"traceEvents\": [\n    ");
        sb.Append(string.Join(",\n    ", _events));
        sb.Append("\n  ]\n}\n");
        return sb.ToString();
    }

    private static readonly Lazy<string> TempRoot = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("headroom-test-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return root;
    });

    /// <summary>Writes the trace to a new folder under this test run's temporary folder (deleted at exit) and returns the file path.</summary>
    public string WriteTemp(string fileName = "trace.json", int? rank = null)
    {
        var dir = Directory.CreateDirectory(Path.Combine(TempRoot.Value, Guid.NewGuid().ToString("N"))).FullName;
        var path = Path.Combine(dir, fileName);
        File.WriteAllText(path, ToJson(rank));
        return path;
    }
}
