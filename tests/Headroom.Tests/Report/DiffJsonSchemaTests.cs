using System.Text.Json;
using Headroom.Tests.Analysis.Comparison;
using Headroom.Tests.Cli;
using Headroom.Tests.Support;
using Json.Schema;
using Xunit;

namespace Headroom.Tests.Report;

/// <summary>The diff and gate JSON against their published schema (docs/diff-report.schema.json).</summary>
public sealed class DiffJsonSchemaTests
{
    private static string SchemaPath() => RepositoryFiles.File("docs/diff-report.schema.json");

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(SchemaPath())));

    private static readonly Lazy<(string Baseline, string Slower)> Synthetic = new(() =>
        (DiffTraces.Write(6, 0.03, 11), DiffTraces.Write(6, 0.03, 11, mmSlowdown: 0.2)));

    public static TheoryData<string, string> Outputs() => new()
    {
        { "diff, synthetic slowdown", "diff|A|B" },
        { "gate, failing", "gate|--baseline|A|--candidate|B" },
        { "gate on an op, from the same run", "gate|--baseline|A|--candidate|A|--metric|op:aten::mm" },
        { "diff across vendors, one step (no intervals, no kernels)", "diff|traces/kineto/tracelens-h100-bert-small-infer.json.gz|traces/kineto/tracelens-mi300x-bert-small-infer.json.gz" },
        { "diff of HTA's pair", "diff|traces/kineto/hta-diff-pair/control-a100-rank3of8.json.gz|traces/kineto/hta-diff-pair/test-v100-rank1of2.json.gz" },
        { "diff of a device outside the catalog (no MFU)", "diff|traces/kineto/hta-mtia-inference.json.gz|traces/kineto/hta-mtia-inference.json.gz" },
    };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Real_outputs_validate_against_the_published_schema(string what, string command)
    {
        var args = command.Split('|').Select(a => a switch
        {
            "A" => Synthetic.Value.Baseline,
            "B" => Synthetic.Value.Slower,
            _ when a.StartsWith("traces/", StringComparison.Ordinal) => SharedData.Require(a),
            _ => a,
        }).Append("--json").ToArray();
        var (code, stdout, stderr) = CliRunner.Run(args);
        Assert.True(code is 0 or 1, $"{what}: exit {code}: {stderr}");

        using var doc = JsonDocument.Parse(stdout);
        SchemaAssert.Valid(Schema.Value, doc.RootElement, what);
    }

    [Fact]
    public void A_field_the_schema_does_not_know_fails_validation()
    {
        var (_, stdout, _) = CliRunner.Run("diff", Synthetic.Value.Baseline, Synthetic.Value.Slower, "--json");
        var tampered = stdout.Replace("\"same_vendor\":", "\"undocumented\": 1, \"same_vendor\":", StringComparison.Ordinal);
        Assert.NotEqual(stdout, tampered);
        using var doc = JsonDocument.Parse(tampered);
        Assert.False(Schema.Value.Evaluate(doc.RootElement).IsValid);
    }
}
