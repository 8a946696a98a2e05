using System.Text.Json;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Cli;

/// <summary>Specification of <c>headroom hardware</c> and of the hardware block of <c>analyze --json</c>.</summary>
public sealed class HardwareCommandTests
{
    [Fact]
    public void Lists_the_catalog_with_dense_peaks()
    {
        var (code, stdout, _) = CliRunner.Run("hardware", "list");
        Assert.Equal(0, code);
        Assert.Contains("h100-sxm", stdout);
        Assert.Contains("mi300x", stdout);
        Assert.Contains("dense", stdout);
    }

    [Fact]
    public void Shows_a_device_found_by_the_name_a_trace_gives_it()
    {
        var (code, stdout, _) = CliRunner.Run("hardware", "show", "NVIDIA H100 80GB HBM3");
        Assert.Equal(0, code);
        Assert.StartsWith("NVIDIA H100 SXM5 80GB (h100-sxm)", stdout);
        Assert.Contains("3.35 TB/s", stdout);
        Assert.Contains("989.4", stdout); // dense bf16 matrix TFLOP/s
        Assert.Contains("Source: NVIDIA H100 Tensor Core GPU datasheet", stdout);
    }

    [Fact]
    public void Unknown_device_is_exit_code_2()
    {
        var (code, stdout, stderr) = CliRunner.Run("hardware", "show", "no-such-gpu");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("no device 'no-such-gpu'", stderr);
    }

    [Fact]
    public void A_malformed_hardware_file_is_one_error_line_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-hw-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{ not json");
        try
        {
            var (code, _, stderr) = CliRunner.Run("hardware", "list", "--hardware-file", path);
            Assert.Equal(2, code);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(path, line);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("traces/kineto/tracelens-h100-bert-small-infer.json.gz", "h100-sxm")]
    [InlineData("traces/kineto/tracelens-mi300x-bert-small-infer.json.gz", "mi300x")]
    [InlineData("traces/kineto/hta-mtia-inference.json.gz", null)]
    public void Analyze_json_says_which_catalog_device_matched_and_how(string relative, string? expectedId)
    {
        var (code, stdout, _) = CliRunner.Run("analyze", SharedData.Require(relative), "--json");
        Assert.Equal(0, code);
        var hardware = JsonDocument.Parse(stdout).RootElement.GetProperty("ranks")[0].GetProperty("hardware");
        Assert.Equal(expectedId, hardware.GetProperty("id").GetString());
        Assert.False(string.IsNullOrEmpty(hardware.GetProperty("how").GetString()));
        Assert.Equal(expectedId is null ? "none" : "high", hardware.GetProperty("confidence").GetString());
    }

    [Fact]
    public void Analyze_json_places_each_op_on_the_roofline_of_the_detected_device()
    {
        var (code, stdout, _) = CliRunner.Run("analyze", SharedData.Require("traces/kineto/tracelens-h100-bert-small-infer.json.gz"), "--json");
        Assert.Equal(0, code);
        var roofline = JsonDocument.Parse(stdout).RootElement.GetProperty("ranks")[0].GetProperty("roofline");
        Assert.Equal("h100-sxm", roofline.GetProperty("device").GetString());
        Assert.Equal(3.35e12, roofline.GetProperty("memory_bandwidth_bytes_per_s").GetDouble());
        Assert.True(roofline.GetProperty("cost_coverage").GetDouble() >= 0.8);
        var ops = roofline.GetProperty("ops").EnumerateArray().ToList();
        Assert.NotEmpty(ops);
        Assert.All(ops, o =>
        {
            foreach (var field in new[] { "flops", "bytes", "achieved_flops_per_s", "ceiling_flops_per_s", "efficiency" })
            {
                Assert.True(o.GetProperty(field).GetDouble() >= 0, field);
            }

            Assert.True(o.GetProperty("time_ns").GetInt64() > 0);
            Assert.Contains(o.GetProperty("bound").GetString(), new[] { "compute", "memory", "latency", "communication" });
            Assert.True(o.GetProperty("efficiency").GetDouble() <= 1 || o.GetProperty("above_roofline").GetBoolean());
        });
        Assert.DoesNotContain("NaN", stdout);
    }

    [Fact]
    public void Hardware_option_overrides_detection()
    {
        var trace = SharedData.Require("traces/kineto/tracelens-h100-bert-small-infer.json.gz");
        var (code, stdout, _) = CliRunner.Run("analyze", trace, "--json", "--hardware", "mi300x");
        Assert.Equal(0, code);
        var rank = JsonDocument.Parse(stdout).RootElement.GetProperty("ranks")[0];
        Assert.Equal("mi300x", rank.GetProperty("hardware").GetProperty("id").GetString());
        Assert.Equal("chosen", rank.GetProperty("hardware").GetProperty("confidence").GetString());
        Assert.Equal("mi300x", rank.GetProperty("roofline").GetProperty("device").GetString());
    }

    [Fact]
    public void Unknown_hardware_option_is_exit_code_2()
    {
        var trace = SharedData.Require("traces/kineto/tracelens-h100-bert-small-infer.json.gz");
        var (code, stdout, stderr) = CliRunner.Run("analyze", trace, "--hardware", "no-such-gpu");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("--hardware 'no-such-gpu' is not in the catalog", stderr);
    }

    [Fact]
    public void An_unknown_device_is_named_and_the_roofline_says_how_to_supply_one()
    {
        var trace = SharedData.Require("traces/kineto/hta-mtia-inference.json.gz");
        var (code, stdout, _) = CliRunner.Run("analyze", trace, "--json");
        Assert.Equal(0, code);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("ranks")[0].GetProperty("roofline").GetProperty("device").ValueKind);
        var d = Assert.Single(root.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString() == "unknown-device");
        Assert.Contains("--hardware", d.GetProperty("message").GetString());
    }
}
