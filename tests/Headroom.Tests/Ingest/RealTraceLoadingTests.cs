using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Ingest;

/// <summary>
/// Every real Kineto trace in shared/data/traces/kineto, read by Headroom's streaming reader and checked against the
/// same file read independently with <see cref="JsonDocument"/>. Each file is one test case.
/// </summary>
public sealed class RealTraceLoadingTests
{
    private const string NoSharedData = "(shared data absent)";

    private static readonly string[] ActivityCategories = ["kernel", "Kernel", "gpu_memcpy", "Memcpy", "gpu_memset", "Memset", "mtia_ccp_events"];
    private static readonly string[] LaunchCategories = ["cuda_runtime", "Runtime", "cuda_driver", "mtia_runtime"];

    private static readonly ConcurrentDictionary<string, Lazy<(JsonFacts Json, HeadroomFacts Headroom)>> Results = new(StringComparer.Ordinal);

    /// <summary>What the JSON text of a trace says, counted without Headroom.</summary>
    private sealed record JsonFacts(int Events, string DeviceName, int? DistributedRank, int GpuActivities, HashSet<long> LaunchCorrelations,
        int ActivitiesWithLaunch, int HostEventsWithInputDims);

    /// <summary>What Headroom read from the same file (the model itself is not kept between tests).</summary>
    /// <param name="ActivitiesWithLaunch">Activities whose correlation id is one of <see cref="JsonFacts.LaunchCorrelations"/>.</param>
    /// <param name="Unlinked">Those of them without a launcher carrying the same id, described.</param>
    private sealed record HeadroomFacts(IReadOnlyList<Diagnostic> Errors, bool Truncated, long CensusTotal, string DeviceName, int Rank,
        RankSource RankSource, int GpuActivities, int ActivitiesWithLaunch, IReadOnlyList<string> Unlinked, int HostEventsWithInputDims);

    /// <summary>Every file under traces/kineto, as a path relative to it.</summary>
    public static TheoryData<string> KinetoFiles()
    {
        var data = new TheoryData<string>();
        if (SharedData.Root is not string root)
        {
            data.Add(NoSharedData);
            return data;
        }

        var kineto = Path.Combine(root, "traces", "kineto");
        foreach (var file in Directory.EnumerateFiles(kineto, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(kineto, file).Replace('\\', '/'));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KinetoFiles))]
    public void Loads_without_error_and_accounts_for_every_element_of_traceEvents(string file)
    {
        var (json, headroom) = Read(file);

        Assert.Empty(headroom.Errors);
        Assert.False(headroom.Truncated);
        Assert.Equal(json.Events, headroom.CensusTotal);
    }

    [Theory]
    [MemberData(nameof(KinetoFiles))]
    public void Reads_the_device_name_and_the_declared_rank(string file)
    {
        var (json, headroom) = Read(file);

        Assert.Equal(json.DeviceName, headroom.DeviceName);
        if (json.DistributedRank is int rank)
        {
            Assert.Equal((rank, RankSource.DistributedInfo), (headroom.Rank, headroom.RankSource));
        }
        else
        {
            Assert.NotEqual(RankSource.DistributedInfo, headroom.RankSource);
        }
    }

    [Theory]
    [MemberData(nameof(KinetoFiles))]
    public void Keeps_every_kernel_copy_and_set_as_a_device_activity(string file)
    {
        var (json, headroom) = Read(file);

        Assert.Equal(json.GpuActivities, headroom.GpuActivities);
    }

    [Theory]
    [MemberData(nameof(KinetoFiles))]
    public void Links_every_device_activity_to_the_runtime_call_with_its_correlation_id(string file)
    {
        // Given the correlation ids carried by runtime/driver calls in the JSON
        var (json, headroom) = Read(file);

        // Then each device activity carrying one of them has a launcher with that id
        Assert.Empty(headroom.Unlinked);

        // And Headroom read as many such activities as the JSON has
        Assert.Equal(json.ActivitiesWithLaunch, headroom.ActivitiesWithLaunch);
    }

    [Theory]
    [MemberData(nameof(KinetoFiles))]
    public void Keeps_the_input_dims_of_every_host_event_that_recorded_them(string file)
    {
        var (json, headroom) = Read(file);

        Assert.Equal(json.HostEventsWithInputDims, headroom.HostEventsWithInputDims);
    }

    [Fact]
    public void Keeps_sub_microsecond_timestamps_exact_to_the_nanosecond()
    {
        // Given the ns-resolution trace, whose first kernel is written as "ts": 1712195495505582.988, "dur": 4.928
        // (a double holds 1712195495505582.988 µs only to ~0.25 ns, and ×1000 in double would be off by tens of ns)
        const string file = "hta-v100-ns-resolution.json.gz";
        var trace = LoadTrace(file);
        var kernels = KernelTimesFromJsonText(file);

        // Then that kernel (correlation 135071) starts at exactly 1712195495505582988 ns and lasts exactly 4928 ns
        var byCorrelation = KernelsByCorrelation(trace);
        var first = byCorrelation[135071];
        Assert.Equal(1_712_195_495_505_582_988L, trace.Gpu.Start[first]);
        Assert.Equal(4_928L, trace.Gpu.Duration[first]);
        Assert.Equal(kernels[135071], (trace.Gpu.Start[first], trace.Gpu.Duration[first]));
        Assert.True(trace.HasSubMicrosecondTimestamps);

        // And every kernel's start and duration equal the decimal text ×1000, exactly
        Assert.True(kernels.Count > 4000, $"only {kernels.Count} kernels found");
        Assert.Equal(kernels.Count, byCorrelation.Count);
        foreach (var (correlation, expected) in kernels)
        {
            var i = byCorrelation[correlation];
            Assert.Equal(expected, (trace.Gpu.Start[i], trace.Gpu.Duration[i]));
        }
    }

    [Fact]
    public void Gives_every_NCCL_kernel_the_collective_recorded_by_its_record_param_comms_op()
    {
        // Given the DDP trace with NCCL 2.17.1 collectives, and each record_param_comms op's dtype by External id
        const string file = "hta-a100-ddp-nccl-rank0of2.json.gz";
        var dtypeByExternalId = new Dictionary<long, string>();
        using (var doc = ParseJson(file))
        {
            foreach (var e in Events(doc.RootElement))
            {
                if (Text(e, "name") == "record_param_comms" && e.TryGetProperty("args", out var a)
                    && a.TryGetProperty("External id", out var ext) && a.TryGetProperty("dtype", out var dtype))
                {
                    dtypeByExternalId[ext.GetInt64()] = dtype.GetString()!;
                }
            }
        }

        // When Headroom reads it
        var trace = LoadTrace(file);
        var gpu = trace.Gpu;
        var nccl = Enumerable.Range(0, gpu.Count).Where(i => trace.Strings[gpu.Name[i]].StartsWith("ncclKernel", StringComparison.Ordinal)).ToList();

        // Then each of its 21 NCCL kernels has a collective: allreduce or broadcast over 2 ranks, with the op's dtype
        Assert.Equal(21, nccl.Count);
        foreach (var i in nccl)
        {
            Assert.True(gpu.Collective[i] >= 0, $"kernel {i} has no collective");
            var collective = trace.Collectives[gpu.Collective[i]];
            Assert.Contains(collective.Name, new[] { "allreduce", "broadcast" });
            Assert.Equal(2, collective.GroupSize);
            Assert.Equal(dtypeByExternalId[gpu.ExternalId[i]], collective.DataType);
            Assert.Equal("[0, 1]", collective.ProcessGroupRanks);
        }

        Assert.Equal(15, nccl.Count(i => trace.Collectives[gpu.Collective[i]].Name == "allreduce"));
        Assert.Equal(3, nccl.Count(i => trace.Collectives[gpu.Collective[i]].DataType == "Long"));
    }

    /// <summary>Index of each kernel by correlation id (each id is carried by one kernel in this trace).</summary>
    private static Dictionary<long, int> KernelsByCorrelation(RankTrace trace)
    {
        var gpu = trace.Gpu;
        var map = new Dictionary<long, int>();
        for (var i = 0; i < gpu.Count; i++)
        {
            if (gpu.Kind[i] == GpuEventKind.Kernel)
            {
                Assert.True(map.TryAdd(gpu.Correlation[i], i), $"two kernels with correlation {gpu.Correlation[i]}");
            }
        }

        return map;
    }

    /// <summary>Start and duration (ns) of every kernel, by correlation id, from the JSON number text read as decimal.</summary>
    private static Dictionary<long, (long Start, long Duration)> KernelTimesFromJsonText(string file)
    {
        using var doc = ParseJson(file);
        var baseNs = doc.RootElement.TryGetProperty("baseTimeNanoseconds", out var b) ? b.GetInt64() : 0;
        var times = new Dictionary<long, (long, long)>();
        foreach (var e in Events(doc.RootElement))
        {
            if (Text(e, "cat") == "kernel" && e.GetProperty("args").TryGetProperty("correlation", out var corr))
            {
                var ts = decimal.Parse(e.GetProperty("ts").GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
                var dur = decimal.Parse(e.GetProperty("dur").GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
                times.Add(corr.GetInt64(), ((long)(ts * 1000m) + baseNs, (long)(dur * 1000m)));
            }
        }

        return times;
    }

    /// <summary>Reads a file once per test run, with Headroom and independently; every theory over the file shares the facts.</summary>
    private static (JsonFacts Json, HeadroomFacts Headroom) Read(string file)
    {
        var path = PathOf(file);
        return Results.GetOrAdd(file, _ => new Lazy<(JsonFacts, HeadroomFacts)>(() =>
        {
            var json = ComputeFacts(path);
            return (json, Summarise(TraceLoader.Load([path]), json));
        })).Value;
    }

    private static HeadroomFacts Summarise(LoadResult result, JsonFacts json)
    {
        if (result.Run is null)
        {
            return new HeadroomFacts(result.Errors, false, 0, "", -1, RankSource.FileOrder, 0, 0, [], 0);
        }

        var trace = Assert.Single(result.Run.Ranks);
        var gpu = trace.Gpu;
        int activities = 0, withLaunch = 0;
        var unlinked = new List<string>();
        for (var i = 0; i < gpu.Count; i++)
        {
            if (!gpu.IsActivity(i))
            {
                continue;
            }

            activities++;
            if (json.LaunchCorrelations.Contains(gpu.Correlation[i]))
            {
                withLaunch++;
                var launcher = gpu.Launcher[i];
                if (launcher < 0 || trace.Cpu.Correlation[launcher] != gpu.Correlation[i])
                {
                    unlinked.Add($"{trace.Strings[gpu.Name[i]]} (correlation {gpu.Correlation[i]}, launcher {launcher})");
                }
            }
        }

        var withDims = 0;
        for (var i = 0; i < trace.Cpu.Count; i++)
        {
            var a = trace.Cpu.Args[i];
            if (a >= 0 && trace.OpArgs[a].InputDims != 0)
            {
                withDims++;
            }
        }

        return new HeadroomFacts(result.Errors, trace.Truncated, trace.Census.Total, trace.DeviceName, trace.Rank, trace.RankSource,
            activities, withLaunch, unlinked, withDims);
    }

    private static RankTrace LoadTrace(string file)
    {
        var result = TraceLoader.Load([PathOf(file)]);
        Assert.Empty(result.Errors);
        return Assert.Single(result.Run!.Ranks);
    }

    private static JsonFacts ComputeFacts(string path)
    {
        using var doc = ParseJsonAt(path);
        var root = doc.RootElement;
        var events = Events(root).ToList();

        var device = "";
        foreach (var key in new[] { "deviceProperties", "computeProperties" })
        {
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty(key, out var devices) && devices.GetArrayLength() > 0)
            {
                device = devices[0].GetProperty("name").GetString()!;
                break;
            }
        }

        int? rank = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("distributedInfo", out var dist)
            && dist.TryGetProperty("rank", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt32() : null;

        var launches = new HashSet<long>();
        foreach (var e in events)
        {
            if (LaunchCategories.Contains(Text(e, "cat")) && Correlation(e) is long c)
            {
                launches.Add(c);
            }
        }

        var activities = events.Where(e => ActivityCategories.Contains(Text(e, "cat"))).ToList();
        var withDims = events.Count(e => Text(e, "ph") == "X" && !IsDeviceCategory(Text(e, "cat"))
            && e.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object
            && (a.TryGetProperty("Input Dims", out _) || a.TryGetProperty("Input dims", out _)));

        return new JsonFacts(events.Count, device, rank, activities.Count, launches,
            activities.Count(e => Correlation(e) is long c && launches.Contains(c)), withDims);
    }

    private static bool IsDeviceCategory(string? category) =>
        category is "kernel" or "Kernel" or "gpu_memcpy" or "Memcpy" or "gpu_memset" or "Memset" or "mtia_ccp_events"
            or "gpu_user_annotation" or "cuda_sync" or "cuda_profiler_range";

    private static long? Correlation(JsonElement e) =>
        e.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object && a.TryGetProperty("correlation", out var c)
            && c.ValueKind == JsonValueKind.Number && c.TryGetInt64(out var v) ? v : null;

    private static string? Text(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IEnumerable<JsonElement> Events(JsonElement root) =>
        (root.ValueKind == JsonValueKind.Array ? root : root.GetProperty("traceEvents")).EnumerateArray();

    private static JsonDocument ParseJson(string file) => ParseJsonAt(PathOf(file));

    private static JsonDocument ParseJsonAt(string path)
    {
        using var file = File.OpenRead(path);
        var gzip = file.ReadByte() == 0x1F && file.ReadByte() == 0x8B;
        file.Position = 0;
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        return JsonDocument.Parse(stream);
    }

    private static string PathOf(string file)
    {
        if (file == NoSharedData)
        {
            SharedData.Require();
        }

        return SharedData.Require(Path.Combine("traces", "kineto", file));
    }
}
