using System.Text.Json;
using Headroom.Cli.Commands;
using Headroom.Tests.Analysis.Comparison;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Cli;

/// <summary>Specification of <c>headroom gate</c>: exit 1 only on a significant regression above the threshold.</summary>
public sealed class GateCommandTests
{
    private static readonly Lazy<(string Baseline, string Slower, string Noisy)> Synthetic = new(() =>
        (DiffTraces.Write(8, 0.03, 7), DiffTraces.Write(8, 0.03, 7, mmSlowdown: 0.3), DiffTraces.Write(8, 0.03, 8)));

    [Fact]
    public void A_significant_regression_above_the_threshold_fails_with_an_explanation()
    {
        var (a, b, _) = Synthetic.Value;
        var (code, stdout, _) = CliRunner.Run("gate", "--baseline", a, "--candidate", b, "--max-regression", "3%");
        Assert.Equal(1, code);
        Assert.StartsWith("headroom gate: FAIL: step_time regressed 1", stdout);
        Assert.Contains("(more than the 3% allowed), significantly", stdout);
        Assert.Contains("95% CI of Δ [", stdout);
    }

    [Fact]
    public void A_regression_below_the_threshold_passes()
    {
        var (a, b, _) = Synthetic.Value;
        var (code, stdout, _) = CliRunner.Run("gate", "--baseline", a, "--candidate", b, "--max-regression", "20");
        Assert.Equal(0, code);
        Assert.StartsWith("headroom gate: pass: a significant regression, within the 20% allowed", stdout);
    }

    [Fact]
    public void Noise_and_a_run_against_itself_pass()
    {
        var (a, _, noisy) = Synthetic.Value;
        Assert.Equal(0, CliRunner.Run("gate", "--baseline", a, "--candidate", noisy, "--max-regression", "0%").ExitCode);
        var control = SharedData.Require("traces/kineto/hta-diff-pair/control-a100-rank3of8.json.gz");
        var (code, stdout, _) = CliRunner.Run("gate", "--baseline", control, "--candidate", control, "--max-regression", "0%");
        Assert.Equal(0, code);
        Assert.StartsWith("headroom gate: pass: no significant regression", stdout);
        Assert.Contains("(+0.0%)", stdout);
    }

    [Fact]
    public void The_hta_diff_pair_fails_on_step_time_and_mfu_but_not_on_exposed_communication()
    {
        var control = SharedData.Require("traces/kineto/hta-diff-pair/control-a100-rank3of8.json.gz");
        var test = SharedData.Require("traces/kineto/hta-diff-pair/test-v100-rank1of2.json.gz");
        Assert.Equal(1, CliRunner.Run("gate", "--baseline", control, "--candidate", test).ExitCode);
        Assert.Equal(1, CliRunner.Run("gate", "--baseline", control, "--candidate", test, "--metric", "mfu").ExitCode);
        Assert.Equal(0, CliRunner.Run("gate", "--baseline", control, "--candidate", test, "--metric", "exposed_comm").ExitCode);
    }

    [Fact]
    public void Json_output_carries_the_verdict()
    {
        var (a, b, _) = Synthetic.Value;
        var (code, stdout, _) = CliRunner.Run("gate", "--baseline", a, "--candidate", b, "--metric", "op:aten::mm", "--json");
        Assert.Equal(1, code);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(("gate", "op:aten::mm", "fail", 1), (root.GetProperty("kind").GetString(), root.GetProperty("metric").GetString(),
            root.GetProperty("verdict").GetString(), root.GetProperty("exit_code").GetInt32()));
        Assert.True(root.GetProperty("significant_regression").GetBoolean());
        Assert.Equal(0.3, root.GetProperty("regression").GetDouble(), 1);
        Assert.Equal(0.03, root.GetProperty("max_regression").GetDouble());
    }

    [Theory]
    [InlineData("--max-regression", "lots", "headroom: error: --max-regression 'lots' is not a percentage such as 3% or 0.5%")]
    [InlineData("--metric", "speed", "headroom: error: --metric 'speed' is not step_time, mfu, exposed_comm or op:NAME")]
    [InlineData("--metric", "op:aten::conv2d", "headroom: error: --metric op:aten::conv2d: neither run has an op named 'aten::conv2d'")]
    public void Bad_input_is_one_line_and_exit_2(string option, string value, string error)
    {
        var (a, b, _) = Synthetic.Value;
        var (code, _, stderr) = CliRunner.Run("gate", "--baseline", a, "--candidate", b, option, value);
        Assert.Equal(2, code);
        Assert.Equal(error, stderr.Trim());
    }

    [Fact]
    public void Mfu_needs_a_catalog_device_on_both_sides()
    {
        var mtia = SharedData.Require("traces/kineto/hta-mtia-inference.json.gz");
        var (code, _, stderr) = CliRunner.Run("gate", "--baseline", Synthetic.Value.Baseline, "--candidate", mtia, "--metric", "mfu");
        Assert.Equal(2, code);
        Assert.Equal("headroom: error: --metric mfu: a run has no MFU (its device is not in the catalog; see 'headroom hardware list')", stderr.Trim());
    }

    [Theory]
    [InlineData("3%", 0.03)]
    [InlineData("3", 0.03)]
    [InlineData(" 0.5 % ", 0.005)]
    [InlineData("0", 0.0)]
    public void Thresholds_are_percentages(string text, double fraction)
    {
        Assert.True(GateCommand.TryParsePercent(text, out var parsed));
        Assert.Equal(fraction, parsed, 12);
    }
}
