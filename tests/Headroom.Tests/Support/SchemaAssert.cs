using System.Text.Json;
using Json.Schema;
using Xunit;

namespace Headroom.Tests.Support;

/// <summary>Validation of a JSON output against a published schema, failing with where each error is.</summary>
internal static class SchemaAssert
{
    /// <summary>Fails unless <paramref name="root"/> is valid under <paramref name="schema"/>, listing up to 20 errors with their locations.</summary>
    public static void Valid(JsonSchema schema, JsonElement root, string what)
    {
        var result = schema.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key}: {e.Value}"))
            .Take(20).ToList();
        Assert.True(result.IsValid, $"{what}:\n" + string.Join("\n", errors));
    }
}
