using System.CommandLine;
using Headroom.Analysis;

namespace Headroom.Cli.Commands;

/// <summary>
/// Options several commands share, validated where System.CommandLine parses them: a bad value is a parse error, which
/// <see cref="HeadroomApp"/> turns into one <c>headroom: error:</c> line and exit code 2.
/// </summary>
internal static class CommonOptions
{
    /// <summary><c>--top N</c>, at least 1.</summary>
    public static Option<int> Top(string description, int defaultRows)
    {
        var top = new Option<int>("--top") { Description = description, DefaultValueFactory = _ => defaultRows };
        top.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--top must be at least 1");
            }
        });
        return top;
    }

    /// <summary><c>--steps N | N..M | N.. | ..M</c>, parsed into a <see cref="StepRange"/>.</summary>
    public static Option<StepRange?> Steps(string description) => new("--steps")
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (StepRange.TryParse(text, out var range))
            {
                return range;
            }

            result.AddError($"--steps '{text}' is not N, N..M, N.. or ..M");
            return null;
        },
    };
}
