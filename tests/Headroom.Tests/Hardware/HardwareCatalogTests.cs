using Headroom.Hardware;
using Xunit;

namespace Headroom.Tests.Hardware;

/// <summary>The built-in catalog, lookup by name, custom files and their validation.</summary>
public sealed class HardwareCatalogTests
{
    private static readonly Precision[] Precisions = Enum.GetValues<Precision>();

    public static TheoryData<string> DeviceIds()
    {
        var data = new TheoryData<string>();
        foreach (var d in HardwareCatalog.BuiltIn.Devices)
        {
            data.Add(d.Id);
        }

        return data;
    }

    private static DeviceSpec Device(string id) => HardwareCatalog.BuiltIn.Devices.Single(d => d.Id == id);

    [Fact]
    public void The_built_in_catalog_loads_with_unique_ids_and_every_requested_device()
    {
        var ids = HardwareCatalog.BuiltIn.Devices.Select(d => d.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        string[] required =
        [
            "v100-sxm2-16gb", "v100-sxm2-32gb", "v100-dgxs-32gb", "a100-sxm4-40gb", "a100-sxm4-80gb", "a100-pcie-40gb", "a100-pcie-80gb",
            "a10", "l4", "l40s", "h100-sxm", "h100-pcie", "h100-nvl", "h800-sxm", "h200-sxm", "b200", "gb200", "rtx-2080-ti", "rtx-3090",
            "rtx-4060", "rtx-4090", "quadro-gp100", "jetson-agx-orin-64gb", "drive-thor", "mi210", "mi250-gcd", "mi250x-gcd", "mi300x",
            "mi325x", "mi355x", "tpu-v4", "tpu-v5e", "tpu-v5p", "tpu-v6e", "tpu-v7",
        ];
        Assert.Empty(required.Except(ids));
    }

    [Theory]
    [MemberData(nameof(DeviceIds))]
    public void Every_device_has_a_bf16_fp16_or_fp32_peak_and_sane_positive_figures(string id)
    {
        var d = Device(id);
        Assert.Contains(new[] { Precision.Bf16, Precision.Fp16, Precision.Fp32 }, p => d.BestPeak(p) is not null);
        foreach (var rate in d.MatrixPeaks.Values.Concat(d.VectorPeaks.Values))
        {
            Assert.InRange(rate.PerSecond, 1e11, 2e16); // 0.1 TFLOP/s .. 20 PFLOP/s dense per device
        }

        Assert.InRange(d.MemoryBandwidth.BytesPerSecond, 0.1e12, 100e12);
        Assert.InRange(d.MemoryCapacity.Gibibytes, 4, 1024);
        Assert.True(d.Multiprocessors > 0);
        if (d.Interconnect.ScaleUpBandwidth is { } link)
        {
            Assert.InRange(link.Gigabytes, 10, 10_000);
        }
    }

    [Theory]
    [MemberData(nameof(DeviceIds))]
    public void Matrix_peaks_are_never_below_the_vector_peak_of_the_same_precision(string id)
    {
        var d = Device(id);
        foreach (var p in Precisions)
        {
            if (d.Peak(p, ComputeUnit.Matrix) is { } m && d.Peak(p, ComputeUnit.Vector) is { } v)
            {
                Assert.True(m.PerSecond >= v.PerSecond, $"{id} {p}: matrix {m} < vector {v}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(DeviceIds))]
    public void Every_device_names_its_sources_and_states_how_dense_figures_were_obtained(string id)
    {
        var d = Device(id);
        Assert.NotEmpty(d.SourceFor("compute"));
        Assert.NotEmpty(d.SourceFor("memory"));
        Assert.False(string.IsNullOrWhiteSpace(d.Sparsity));
        Assert.Contains(d.Confidence, new[] { "verified", "unverified" });
        Assert.Equal("built-in", d.Origin);
    }

    [Fact]
    public void H100_SXM_HBM_bandwidth_is_3_35e12_bytes_per_second_from_the_datasheet_and_the_notes_explain_the_other_figures()
    {
        var h100 = HardwareCatalog.BuiltIn.Find("H100 SXM")!;
        Assert.Equal(3.35e12, h100.MemoryBandwidth.BytesPerSecond, 1e3);
        Assert.Contains("datasheet", h100.SourceFor("memory"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("3.072", h100.Notes, StringComparison.Ordinal);
        Assert.Contains("3.68", h100.Notes, StringComparison.Ordinal);
        Assert.Equal(989.4e12, h100.Peak(Precision.Bf16, ComputeUnit.Matrix)!.Value.PerSecond, 1e6);
        Assert.Equal(66.9e12, h100.Peak(Precision.Fp32, ComputeUnit.Vector)!.Value.PerSecond, 1e6);
        Assert.Equal(450e9, h100.Interconnect.ScaleUpPerDirection!.Value.BytesPerSecond, 1e3);
    }

    [Fact]
    public void Peaks_quoted_with_sparsity_are_stored_halved()
    {
        var l4 = HardwareCatalog.BuiltIn.Find("L4")!;
        Assert.Equal(121e12, l4.Peak(Precision.Fp16, ComputeUnit.Matrix)!.Value.PerSecond, 1e6); // datasheet: 242 with sparsity
        Assert.Contains("halved", l4.Sparsity, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("h100", "h100-sxm")]
    [InlineData("H100 SXM", "h100-sxm")]
    [InlineData("h100-pcie", "h100-pcie")]
    [InlineData("NVIDIA H100 80GB HBM3", "h100-sxm")]
    [InlineData("a100-pg509-200", "a100-sxm4-40gb")]
    [InlineData("A100 80GB", "a100-sxm4-80gb")]
    [InlineData("mi300x", "mi300x")]
    [InlineData("AMD Instinct MI300X VF", "mi300x")]
    [InlineData("MI250X", "mi250x-gcd")]
    [InlineData("TPU v6 Lite", "tpu-v6e")]
    [InlineData("trillium", "tpu-v6e")]
    [InlineData("Ironwood", "tpu-v7")]
    [InlineData("2080 Ti", "rtx-2080-ti")]
    public void Find_accepts_ids_names_aliases_and_trace_names_ignoring_case_and_punctuation(string name, string id) =>
        Assert.Equal(id, HardwareCatalog.BuiltIn.Find(name)?.Id);

    [Theory]
    [InlineData("")]
    [InlineData("ARTEMIS")]
    [InlineData("Voodoo 5")]
    public void Find_returns_null_for_unknown_names(string name) => Assert.Null(HardwareCatalog.BuiltIn.Find(name));

    [Fact]
    public void A_custom_hardware_file_overrides_a_built_in_device_and_adds_a_new_one()
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-hw-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {
              "devices": [
                {
                  "id": "h100-sxm", "name": "H100 SXM (our clocks)", "multiprocessors": 132,
                  "match": { "names": ["H100 80GB HBM3"], "multiprocessors": 132 },
                  "memory": { "capacityGiB": 80, "bandwidthTBps": 3.0 },
                  "matrixTflops": { "bf16": 800 },
                  "sparsity": "dense, measured",
                  "sources": [ { "title": "measured with our GEMM benchmark", "covers": ["compute", "memory"] } ],
                  "confidence": "measured"
                },
                {
                  "id": "my-npu", "name": "My NPU 1", "aliases": ["npu1"], "multiprocessors": 8,
                  "match": { "names": ["^My NPU 1$"] },
                  "memory": { "capacityGiB": 48, "bandwidthTBps": 1.2 },
                  "vectorTflops": { "fp32": 20 },
                  "sources": [ { "title": "vendor sheet", "url": "https://example.com/npu1", "covers": ["compute", "memory"] } ]
                }
              ]
            }
            """);
        try
        {
            var load = HardwareCatalog.Load(path);
            Assert.Null(load.Error);
            var catalog = load.Catalog!;
            Assert.Equal(["h100-sxm"], load.Replaced);
            Assert.Equal(["my-npu"], load.Added);
            Assert.Equal(HardwareCatalog.BuiltIn.Devices.Count + 1, catalog.Devices.Count);

            var h100 = catalog.Find("h100-sxm")!;
            Assert.Equal(3.0e12, h100.MemoryBandwidth.BytesPerSecond, 1e3);
            Assert.Equal(path, h100.Origin);
            Assert.Equal("measured", h100.Confidence);
            Assert.Equal(3.35e12, HardwareCatalog.BuiltIn.Find("h100-sxm")!.MemoryBandwidth.BytesPerSecond, 1e3);

            Assert.Equal("my-npu", catalog.Find("NPU1")?.Id);
            var match = HardwareDetector.Detect([new Model.DeviceInfo(0, "My NPU 1", 0, "", 0)], catalog);
            Assert.Equal("my-npu", match.Spec?.Id);
            var detected = HardwareDetector.Detect([new Model.DeviceInfo(0, "NVIDIA H100 80GB HBM3", 85018279936, "9.0", 132)], catalog);
            Assert.Equal(path, detected.Spec?.Origin);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private const string Valid = """
        "id": "x1", "name": "X1", "multiprocessors": 4,
        "memory": { "capacityGiB": 16, "bandwidthTBps": 1 },
        "vectorTflops": { "fp32": 10 },
        "sources": [ { "title": "sheet", "covers": ["compute", "memory"] } ]
        """;

    public static TheoryData<string, string> MalformedFiles() => new()
    {
        { "{ \"devices\": [ { ", "not valid JSON" },
        { "[]", "the top level must be an object" },
        { "{ \"device\": [] }", "device: unknown field" },
        { "{ \"devices\": {} }", "devices: required, an array" },
        { "{ \"devices\": [ { " + Valid.Replace("\"bandwidthTBps\": 1", "\"bandwidthTBps\": 3350", StringComparison.Ordinal) + " } ] }", "devices[0] (id 'x1').memory.bandwidthTBps: 3350 is outside the sane range" },
        { "{ \"devices\": [ { " + Valid.Replace("\"fp32\"", "\"fp12\"", StringComparison.Ordinal) + " } ] }", "vectorTflops.fp12: unknown precision" },
        { "{ \"devices\": [ { " + Valid.Replace("\"fp32\"", "\"int8\"", StringComparison.Ordinal) + " } ] }", "needs at least one bf16, fp16 or fp32 peak" },
        { "{ \"devices\": [ { " + Valid.Replace("\"bandwidthTBps\"", "\"bandwith\"", StringComparison.Ordinal) + " } ] }", "memory.bandwith: unknown field" },
        { "{ \"devices\": [ { " + Valid.Replace("\"fp32\": 10", "\"fp32\": -1", StringComparison.Ordinal) + " } ] }", "vectorTflops.fp32: -1 is outside the sane range" },
        { "{ \"devices\": [ { " + Valid.Replace("\"covers\": [\"compute\", \"memory\"]", "\"covers\": [\"compute\"]", StringComparison.Ordinal) + " } ] }", "no source covers \"memory\"" },
        { "{ \"devices\": [ { " + Valid + ", \"match\": { \"names\": [\"(unclosed\"] } } ] }", "match.names: '(unclosed' is not a valid regular expression" },
        { "{ \"devices\": [ { " + Valid + " }, { " + Valid + " } ] }", "devices[1] (id 'x1').id: duplicate id 'x1'" },
        { "{ \"devices\": [ { \"id\": \"x2\", \"name\": \"X2\" } ] }", "devices[0] (id 'x2').memory: required" },
    };

    [Theory]
    [MemberData(nameof(MalformedFiles))]
    public void A_malformed_custom_file_gives_one_line_naming_the_file_and_the_problem(string json, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-bad-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            var load = HardwareCatalog.Load(path);
            Assert.Null(load.Catalog);
            Assert.StartsWith(path + ": ", load.Error, StringComparison.Ordinal);
            Assert.Contains(expected, load.Error, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', load.Error!);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_custom_file_is_reported_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-missing-{Guid.NewGuid():N}.json");
        var load = HardwareCatalog.Load(path);
        Assert.Null(load.Catalog);
        Assert.StartsWith(path + ": cannot read the hardware file", load.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_without_a_custom_file_returns_the_built_in_catalog() =>
        Assert.Same(HardwareCatalog.BuiltIn, HardwareCatalog.Load(null).Catalog);
}
