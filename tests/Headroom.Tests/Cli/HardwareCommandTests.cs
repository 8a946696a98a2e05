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
}
