using Headroom.Hardware;
using Headroom.Ingest;
using Headroom.Model;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Hardware;

/// <summary>Device detection from deviceProperties: the names in the shared traces, synthetic names, and unknown devices.</summary>
public sealed class HardwareDetectorTests
{
    private static DeviceMatch Detect(string name, long memory, string capability, int sms) =>
        HardwareDetector.Detect([new DeviceInfo(0, name, memory, capability, sms)]);

    /// <summary>Exactly as the shared traces write them (name, totalGlobalMem, computeMajor.minor, numSms).</summary>
    [Theory]
    [InlineData("NVIDIA A100-PG509-200", 42297524224L, "8.0", 108, "a100-sxm4-40gb", "high")]
    [InlineData("NVIDIA A100-PG509-200", 42505273344L, "8.0", 108, "a100-sxm4-40gb", "high")]
    [InlineData("Tesla V100-SXM2-16GB", 16945512448L, "7.0", 80, "v100-sxm2-16gb", "high")]
    [InlineData("Tesla V100-SXM2-32GB", 34089730048L, "7.0", 80, "v100-sxm2-32gb", "high")]
    [InlineData("Tesla V100-SXM2-32GB", 34079637504L, "7.0", 80, "v100-sxm2-32gb", "high")]
    [InlineData("Tesla V100-DGXS-32GB", 34084028416L, "7.0", 80, "v100-dgxs-32gb", "high")]
    [InlineData("Tesla V100-DGXS-32GB", 34087305216L, "", 0, "v100-dgxs-32gb", "high")]
    [InlineData("Quadro GP100", 17069309952L, "6.0", 56, "quadro-gp100", "high")]
    [InlineData("NVIDIA GeForce RTX 2080 Ti", 11554586624L, "7.5", 68, "rtx-2080-ti", "high")]
    [InlineData("NVIDIA H100 80GB HBM3", 85018279936L, "9.0", 132, "h100-sxm", "high")]
    [InlineData("AMD Instinct MI210", 68702699520L, "9.0", 104, "mi210", "high")]
    [InlineData("AMD Radeon Graphics", 68702699520L, "9.0", 104, "mi250-gcd", "medium")]
    [InlineData("AMD Instinct MI300X VF", 205571227648L, "9.4", 304, "mi300x", "high")]
    [InlineData("AMD Instinct MI300X", 206141652992L, "9.4", 304, "mi300x", "high")]
    [InlineData("", 206141652992L, "9.4", 304, "mi300x", "low")]
    [InlineData("TPU v6 Lite", 0L, "", 0, "tpu-v6e", "medium")]
    public void Device_names_found_in_the_shared_traces_are_detected(string name, long memory, string capability, int sms, string id, string confidence)
    {
        var match = Detect(name, memory, capability, sms);
        Assert.Equal(id, match.Spec?.Id);
        Assert.Equal(confidence, match.Confidence);
        Assert.False(string.IsNullOrWhiteSpace(match.How));
    }

    [Theory]
    [InlineData("NVIDIA H100 PCIe", 85030739968L, "9.0", 114, "h100-pcie")]
    [InlineData("NVIDIA H100", 85030739968L, "9.0", 114, "h100-pcie")]
    [InlineData("NVIDIA H100", 85030739968L, "9.0", 132, "h100-sxm")]
    [InlineData("NVIDIA H100 NVL", 100485038080L, "9.0", 132, "h100-nvl")]
    [InlineData("NVIDIA H800", 85030739968L, "9.0", 132, "h800-sxm")]
    [InlineData("NVIDIA H200", 150754820096L, "9.0", 132, "h200-sxm")]
    [InlineData("NVIDIA B200", 191514935296L, "10.0", 148, "b200")]
    [InlineData("NVIDIA GB200", 199715979264L, "10.0", 152, "gb200")]
    [InlineData("NVIDIA A100-SXM4-40GB", 42505273344L, "8.0", 108, "a100-sxm4-40gb")]
    [InlineData("NVIDIA A100-SXM4-80GB", 85198045184L, "8.0", 108, "a100-sxm4-80gb")]
    [InlineData("NVIDIA A100 80GB PCIe", 85198045184L, "8.0", 108, "a100-pcie-80gb")]
    [InlineData("NVIDIA A100-PCIE-40GB", 42505273344L, "8.0", 108, "a100-pcie-40gb")]
    [InlineData("NVIDIA A10", 23827185664L, "8.6", 72, "a10")]
    [InlineData("NVIDIA L4", 23580639232L, "8.9", 58, "l4")]
    [InlineData("NVIDIA L40S", 47697362944L, "8.9", 142, "l40s")]
    [InlineData("NVIDIA GeForce RTX 3090", 25447170048L, "8.6", 82, "rtx-3090")]
    [InlineData("NVIDIA GeForce RTX 4060", 8318681088L, "8.9", 24, "rtx-4060")]
    [InlineData("NVIDIA GeForce RTX 4090", 25393692672L, "8.9", 128, "rtx-4090")]
    [InlineData("Orin", 64336896000L, "8.7", 16, "jetson-agx-orin-64gb")]
    [InlineData("AMD Instinct MI250X", 68702699520L, "9.0", 110, "mi250x-gcd")]
    [InlineData("AMD Instinct MI250X", 68702699520L, "gfx90a", 110, "mi250x-gcd")]
    [InlineData("AMD Instinct MI325X", 274877906944L, "9.4", 304, "mi325x")]
    [InlineData("AMD Instinct MI355X", 309237645312L, "9.5", 256, "mi355x")]
    [InlineData("TPU v4", 0L, "", 0, "tpu-v4")]
    [InlineData("TPU v5 lite", 0L, "", 0, "tpu-v5e")]
    [InlineData("TPU v5p", 0L, "", 0, "tpu-v5p")]
    [InlineData("TPU7x", 0L, "", 0, "tpu-v7")]
    public void Synthetic_names_are_detected_and_counts_choose_between_variants(string name, long memory, string capability, int sms, string id) =>
        Assert.Equal(id, Detect(name, memory, capability, sms).Spec?.Id);

    [Fact]
    public void H100_SXM_and_PCIe_are_told_apart_by_SM_count_and_the_reason_is_given()
    {
        var match = Detect("NVIDIA H100", 85030739968L, "9.0", 114);
        Assert.Equal("high", match.Confidence);
        Assert.Contains("114 SMs/CUs", match.How, StringComparison.Ordinal);
        Assert.Contains("ruled out h100-sxm", match.How, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_device_gives_no_spec_and_says_how_to_supply_one()
    {
        var match = Detect("ARTEMIS", 0, "", 0);
        Assert.Null(match.Spec);
        Assert.Equal("none", match.Confidence);
        Assert.Contains("ARTEMIS", match.How, StringComparison.Ordinal);
        Assert.Contains("--hardware", match.How, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_whose_memory_contradicts_it_is_matched_with_low_confidence_and_the_contradiction_named()
    {
        var match = Detect("Tesla V100-SXM2-16GB", 34089730048L, "7.0", 80);
        Assert.Equal("v100-sxm2-16gb", match.Spec?.Id);
        Assert.Equal("low", match.Confidence);
        Assert.Contains("outside", match.How, StringComparison.Ordinal);
    }

    [Fact]
    public void Counts_that_fit_several_devices_without_a_name_give_no_spec()
    {
        // 104 CUs, 64 GiB, 9.0: MI210 and one MI250 GCD are the same silicon; without a name neither is chosen.
        var match = Detect("", 68702699520L, "9.0", 104);
        Assert.Null(match.Spec);
        Assert.Contains("mi210", match.How, StringComparison.Ordinal);
        Assert.Contains("mi250-gcd", match.How, StringComparison.Ordinal);
    }

    [Fact]
    public void A_trace_without_devices_gives_no_spec()
    {
        var match = HardwareDetector.Detect([]);
        Assert.Null(match.Spec);
        Assert.Equal("none", match.Confidence);
    }

    [Fact]
    public void Identical_devices_are_detected_once_and_mixed_devices_are_reported()
    {
        var same = HardwareDetector.Detect([
            new DeviceInfo(0, "NVIDIA H100 80GB HBM3", 85018279936L, "9.0", 132),
            new DeviceInfo(1, "NVIDIA H100 80GB HBM3", 85018279936L, "9.0", 132),
        ]);
        Assert.Equal("h100-sxm", same.Spec?.Id);
        Assert.Contains("all 2 devices", same.How, StringComparison.Ordinal);

        var mixed = HardwareDetector.Detect([
            new DeviceInfo(0, "NVIDIA H100 80GB HBM3", 85018279936L, "9.0", 132),
            new DeviceInfo(1, "NVIDIA H100 80GB HBM3", 85018279936L, "9.0", 132),
            new DeviceInfo(2, "Tesla V100-SXM2-32GB", 34089730048L, "7.0", 80),
        ]);
        Assert.Equal("h100-sxm", mixed.Spec?.Id);
        Assert.Contains("v100-sxm2-32gb", mixed.How, StringComparison.Ordinal);
    }

    /// <summary>One file per Kineto job of the shared data (the first rank of a folder).</summary>
    public static TheoryData<string> SharedTraceFiles()
    {
        var data = new TheoryData<string>();
        foreach (var (name, path) in SharedData.KinetoJobs())
        {
            data.Add(name);
        }

        if (data.Count == 0)
        {
            data.Add("(shared data absent)");
        }

        return data;
    }

    /// <summary>The catalog id each shared trace's file name implies; null for traces without a GPU name to detect.</summary>
    private static string? ExpectedFor(string job) => job switch
    {
        _ when job.Contains("mtia", StringComparison.Ordinal) => null,
        _ when job.Contains("h100", StringComparison.Ordinal) => "h100-sxm",
        _ when job.Contains("a100", StringComparison.Ordinal) => "a100-sxm4-40gb",
        _ when job.Contains("mi300x", StringComparison.Ordinal) => "mi300x",
        _ when job.Contains("mi210", StringComparison.Ordinal) => "mi210",
        _ when job.Contains("mi250", StringComparison.Ordinal) => "mi250-gcd",
        _ when job.Contains("gp100", StringComparison.Ordinal) => "quadro-gp100",
        _ when job.Contains("2080ti", StringComparison.Ordinal) => "rtx-2080-ti",
        _ when job.Contains("v100", StringComparison.Ordinal) || job == "kineto-gpu-metrics-input" => "v100",
        _ => null,
    };

    [Theory]
    [MemberData(nameof(SharedTraceFiles))]
    public void Every_shared_trace_that_names_its_GPU_is_detected(string job)
    {
        var root = SharedData.Require();
        var path = SharedData.KinetoJobs().Single(j => j.Name == job).Path;
        var file = Directory.Exists(path) ? Directory.GetFiles(path).Order(StringComparer.Ordinal).First() : path;
        Assert.True(root.Length > 0);

        var run = TraceLoader.Load([file]).Run;
        Assert.NotNull(run);
        var devices = run.Ranks[0].Devices;
        var match = HardwareDetector.Detect(devices);
        var expected = ExpectedFor(job);
        if (devices.Count == 0 || expected is null)
        {
            Assert.True(expected is null || devices.Count == 0, $"{job}: expected {expected} but the trace lists no devices");
            if (devices.Any(d => d.Name == "ARTEMIS"))
            {
                Assert.Null(match.Spec); // MTIA: not in the catalog
            }
            else if (devices.Count > 0)
            {
                Assert.NotNull(match.Spec);
            }

            return;
        }

        Assert.NotNull(match.Spec);
        Assert.StartsWith(expected, match.Spec.Id, StringComparison.Ordinal);
        Assert.NotEqual("none", match.Confidence);
    }
}
