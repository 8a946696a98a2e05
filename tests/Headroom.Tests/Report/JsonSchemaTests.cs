using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Headroom.Report;
using Headroom.Tests.Cli;
using Headroom.Tests.Support;
using Json.Schema;
using Xunit;

namespace Headroom.Tests.Report;

/// <summary>
/// The JSON output against its published JSON Schema (docs/analyze-report.schema.json): real outputs validate, the
/// schema's version is the one written, and the schema cannot change without a version bump.
/// </summary>
public sealed partial class JsonSchemaTests
{
    /// <summary>
    /// SHA-256 of the schema file (line endings normalised) for the current schema_version. When the schema changes:
    /// bump AnalyzeReport.CurrentSchemaVersion and the schema's "const", then record the new hash here.
    /// </summary>
    private static readonly Dictionary<int, string> SchemaHashes = new()
    {
        [3] = "6ec0c1b80dcef9bdda88ad13d13ab728f81ae0876affeeeffb17bfcb1dce2d03",
    };

    private static string SchemaPath() => RepositoryFiles.File("docs/analyze-report.schema.json");

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(SchemaPath())));


    public static TheoryData<string, string> Outputs() => new()
    {
        { "the shipped 2-rank sample", "SAMPLE" },
        { "an 8-rank DLRM job", "traces/kineto/param-v100-dlrm-8rank" },
        { "one H100 inference rank", "traces/kineto/tracelens-h100-bert-small-infer.json.gz" },
        { "HTA-compatible mode", "traces/kineto/hta-a100-ddp-nccl-rank0of2.json.gz|--hta-compatible" },
        { "one rank picked from a job", "SAMPLE|--rank|1" },
        { "a step selection", "traces/kineto/kineto-v100-resnet50-train-w0.json.gz|--steps|3..4" },
        { "a trace with no device activity", "traces/kineto/hta-cpu-only-rank34.json.gz" },
        { "a device not in the catalog", "traces/kineto/hta-mtia-inference.json.gz" },
        { "ranks of different jobs", "traces/kineto/hta-diff-pair" },
        { "a legacy trace without steps", "traces/kineto/hta-legacy-inference-tiny.json.gz" },
        { "a TPU XSpace with framework ops", "traces/xplane/xprof-tpu-v6e-4chip-jax-inference.xplane.pb" },
        { "a GPU XSpace with attention custom calls", "traces/xplane/tracelens-mi355x-jax-te-fused-attn.xplane.pb" },
    };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Real_outputs_validate_against_the_published_schema(string what, string input)
    {
        // Given the JSON output for the input
        var parts = input.Split('|');
        var path = parts[0] == "SAMPLE" ? RepositoryFiles.Sample() : SharedData.Require(parts[0]);
        var (code, stdout, stderr) = CliRunner.Run(["analyze", path, "--json", .. parts[1..]]);
        Assert.True(code == 0, $"{what}: exit {code}: {stderr}");

        // When it is evaluated against the schema
        using var doc = JsonDocument.Parse(stdout);

        // Then there are no errors (each reported with where it is)
        SchemaAssert.Valid(Schema.Value, doc.RootElement, what);
    }

    [Fact]
    public void A_field_the_schema_does_not_know_fails_validation()
    {
        // Given a valid output with one extra field in a rank
        var (_, stdout, _) = CliRunner.Run("analyze", RepositoryFiles.Sample(), "--json");
        var tampered = stdout.Replace("\"activities\":", "\"undocumented_field\": 1, \"activities\":", StringComparison.Ordinal);
        Assert.NotEqual(stdout, tampered);

        // Then the schema rejects it, and rejects a NaN written as a string too
        using var doc = JsonDocument.Parse(tampered);
        Assert.False(Schema.Value.Evaluate(doc.RootElement).IsValid);
        using var nan = JsonDocument.Parse(stdout.Replace("\"window_ns\":", "\"window_ns\": \"NaN\", \"x\":", StringComparison.Ordinal));
        Assert.False(Schema.Value.Evaluate(nan.RootElement).IsValid);
    }

    [Fact]
    public void The_schema_version_is_the_one_written_and_the_schema_changes_only_with_a_bump()
    {
        var text = File.ReadAllText(SchemaPath()).ReplaceLineEndings("\n");
        using var schema = JsonDocument.Parse(text);
        Assert.Equal(AnalyzeReport.CurrentSchemaVersion, schema.RootElement.GetProperty("properties").GetProperty("schema_version").GetProperty("const").GetInt32());
        Assert.Contains($"schema_version {AnalyzeReport.CurrentSchemaVersion}", schema.RootElement.GetProperty("title").GetString(), StringComparison.Ordinal);

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        Assert.True(SchemaHashes.TryGetValue(AnalyzeReport.CurrentSchemaVersion, out var recorded), "no hash recorded for this schema_version");
        Assert.True(recorded == hash,
            $"docs/analyze-report.schema.json changed under schema_version {AnalyzeReport.CurrentSchemaVersion}: bump AnalyzeReport.CurrentSchemaVersion "
            + $"and the schema's const, and record the new hash ({hash}) in {nameof(SchemaHashes)}");
    }

    [Fact]
    public void Docs_name_the_same_schema_version()
    {
        var docs = File.ReadAllText(Path.Combine(Path.GetDirectoryName(SchemaPath())!, "json-schema.md"));
        Assert.Equal(AnalyzeReport.CurrentSchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), VersionInDocs().Match(docs).Groups[1].Value);
    }

    [GeneratedRegex(@"`schema_version` \*\*(\d+)\*\*")]
    private static partial Regex VersionInDocs();
}
