using System.Globalization;
using System.Text.RegularExpressions;

namespace Headroom.Costs;

/// <summary>
/// A shape-based estimate of an XLA HLO instruction from its text (<c>%dot.1 = f32[128,128]{1,0} dot(f32[128,256]{1,0}
/// %a, f32[256,128]{1,0} %b), lhs_contracting_dims={1}, ...</c>), to check XLA's own cost analysis against: bytes are
/// every operand read once plus every result written once (by dtype size), FLOPs are known for <c>dot</c> (2 per
/// multiply-add over the contracting dimensions) and for elementwise opcodes (one per output element); fusions and
/// other opcodes have bytes only. Never throws.
/// </summary>
public static partial class HloCostModel
{
    /// <summary>The estimate: FLOPs when the opcode has a formula, bytes when every shape could be read.</summary>
    public sealed record Estimate(double? Flops, double? Bytes, string Opcode);

    internal static readonly HashSet<string> Elementwise = new(StringComparer.Ordinal)
    {
        "add", "subtract", "multiply", "divide", "maximum", "minimum", "exponential", "log", "tanh", "negate", "abs", "sqrt", "rsqrt",
        "power", "logistic", "select", "compare", "and", "or", "xor", "not", "convert", "clamp", "sine", "cosine",
    };

    [GeneratedRegex(@"([a-z]+[0-9]*(?:e[0-9]m[0-9](?:fn|fnuz)?)?)\[([0-9,]*)\]")]
    private static partial Regex ShapePattern();

    [GeneratedRegex(@"lhs_contracting_dims=\{([0-9,]*)\}")]
    private static partial Regex LhsContracting();

    /// <summary>
    /// Where the parts of an HLO instruction's text are: <c>%NAME = SHAPE OPCODE(OPERANDS)...</c>; indices into the text
    /// after <c>" = "</c> (<paramref name="eq"/> is that separator's index in the text). The opcode is the lower-case word
    /// right before the first '(' that does not open a tuple shape. False when the text is not an HLO instruction.
    /// </summary>
    internal static bool TryOpcode(ReadOnlySpan<char> text, out int eq, out int start, out int open)
    {
        eq = text.IndexOf(" = ", StringComparison.Ordinal);
        start = open = -1;
        if (text.IsEmpty || text[0] != '%' || eq < 2)
        {
            return false;
        }

        var rest = text[(eq + 3)..];
        for (var i = 1; i < rest.Length; i++)
        {
            if (rest[i] == '(' && char.IsAsciiLetterLower(rest[i - 1]))
            {
                open = i;
                break;
            }
        }

        if (open < 0)
        {
            return false;
        }

        start = open;
        while (start > 0 && (char.IsAsciiLetterLower(rest[start - 1]) || rest[start - 1] == '-'))
        {
            start--;
        }

        return true;
    }

    /// <summary>Estimates <paramref name="instruction"/>; null when the text is not an HLO instruction.</summary>
    public static Estimate? Of(string instruction)
    {
        try
        {
            if (!TryOpcode(instruction, out var eq, out var start, out var open))
            {
                return null;
            }

            var rest = instruction[(eq + 3)..];
            var opcode = rest[start..open];
            var close = Matching(rest, open);
            var results = Shapes(rest[..start]);
            var operands = close > open ? Shapes(rest[(open + 1)..close]) : [];
            double? bytes = results.Count > 0 && operands.All(o => o.Size > 0) && results.All(r => r.Size > 0)
                ? operands.Sum(o => o.Elements * o.Size) + results.Sum(r => r.Elements * r.Size)
                : null;
            double? flops = null;
            if (opcode == "dot" && operands.Count >= 2 && results.Count == 1)
            {
                var contracting = LhsContracting().Match(rest);
                var dims = contracting.Success && contracting.Groups[1].Value.Length > 0
                    ? contracting.Groups[1].Value.Split(',').Select(d => int.Parse(d, CultureInfo.InvariantCulture)).ToList()
                    : [];
                var lhs = operands[0].Dims;
                if (dims.All(d => d < lhs.Length))
                {
                    flops = 2 * results[0].Elements * dims.Aggregate(1d, (p, d) => p * lhs[d]);
                }
            }
            else if (Elementwise.Contains(opcode) && results.Count == 1)
            {
                flops = results[0].Elements;
            }

            return new Estimate(flops, bytes, opcode);
        }
#pragma warning disable CA1031 // the contract is "never throw": an unreadable text has no estimate
        catch (Exception)
        {
            return null;
        }
#pragma warning restore CA1031
    }

    private sealed record Shape(long[] Dims, double Elements, int Size);

    private static List<Shape> Shapes(string text) =>
        [.. ShapePattern().Matches(text).Select(m =>
        {
            var dims = m.Groups[2].Value.Length == 0 ? [] : m.Groups[2].Value.Split(',').Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
            return new Shape(dims, dims.Aggregate(1d, (p, d) => p * d), SizeOf(m.Groups[1].Value));
        })];

    /// <summary>Bytes per element of an XLA dtype; 0 when unknown.</summary>
    private static int SizeOf(string type) => type switch
    {
        "f64" or "s64" or "u64" or "c64" => 8,
        "f32" or "s32" or "u32" => 4,
        "bf16" or "f16" or "s16" or "u16" => 2,
        "s8" or "u8" or "pred" => 1,
        _ when type.StartsWith("f8", StringComparison.Ordinal) => 1,
        "c128" => 16,
        _ => 0,
    };

    private static int Matching(string text, int open)
    {
        var depth = 0;
        for (var i = open; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth == 0)
            {
                return i;
            }
        }

        return -1;
    }
}
