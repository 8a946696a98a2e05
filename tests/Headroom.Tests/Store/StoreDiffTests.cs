using System.Text.Json;
using Headroom.Tests.Cli;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Store;

/// <summary><c>diff</c> and <c>gate</c> over stored runs, named by label or id, give what they give over the traces.</summary>
public sealed class StoreDiffTests
{
    [Fact]
    public void Diff_and_gate_by_label_match_diff_and_gate_by_trace_path()
    {
        // Given the H100 and MI300X BERT runs saved under labels
        using var temp = new TempStore();
        var h100 = SharedData.Require("traces/kineto/tracelens-h100-bert-small-infer.json.gz");
        var mi300x = SharedData.Require("traces/kineto/tracelens-mi300x-bert-small-infer.json.gz");
        Assert.Equal(0, CliRunner.Run("analyze", h100, "--save", "--label", "h100", "--store", temp.Path).ExitCode);
        Assert.Equal(0, CliRunner.Run("analyze", mi300x, "--save", "--label", "mi300x", "--store", temp.Path).ExitCode);

        // When they are compared by label, and by path
        var (code, byLabel, stderr) = CliRunner.Run("diff", "h100", "mi300x", "--store", temp.Path, "--json");
        var (pathCode, byPath, _) = CliRunner.Run("diff", h100, mi300x, "--json");

        // Then the comparisons agree (the runs' names aside) and the gate reads the store too
        Assert.True(code == 0, stderr);
        Assert.Equal(0, pathCode);
        var a = JsonDocument.Parse(byLabel).RootElement;
        var b = JsonDocument.Parse(byPath).RootElement;
        Assert.Equal(b.GetProperty("step_time_ns").GetRawText(), a.GetProperty("step_time_ns").GetRawText());
        Assert.Equal(b.GetProperty("decomposition_ns").GetRawText(), a.GetProperty("decomposition_ns").GetRawText());
        Assert.Equal(b.GetProperty("ops").GetRawText(), a.GetProperty("ops").GetRawText());
        Assert.Equal("h100", a.GetProperty("baseline").GetProperty("name").GetString());
        var gate = CliRunner.Run("gate", "--baseline", "h100", "--candidate", "h100", "--store", temp.Path);
        Assert.Equal(0, gate.ExitCode);
        var missing = CliRunner.Run("diff", "h100", "no-such-label", "--store", temp.Path);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no-such-label: no such trace file or folder, run id or label", missing.Stderr, StringComparison.Ordinal);
    }
}
