using System.Text;
using System.Text.Json;

namespace Headroom.Costs;

/// <summary>
/// The attributes of an XLA typed-FFI custom call, as the HLO module keeps them: an MLIR dictionary attribute printed
/// as text, <c>{attn_heads = 16 : i64, dropout_probability = 1.000000e-01 : f64, is_training = true}</c>, either as the
/// instruction's backend config or inside a GpuBackendConfig's <c>custom_call_backend_config.attributes</c> string.
/// Values are kept as written, less their type (<c>16</c>, <c>1.000000e-01</c>, <c>true</c>). Never throws.
/// </summary>
internal static class FfiAttributes
{
    private const int MaxLength = 1 << 20;

    /// <summary>The dictionary text of a backend config: the config itself, or the attributes string of a JSON GpuBackendConfig.</summary>
    public static string TextOf(string config)
    {
        var text = config.AsSpan().Trim();
        if (text.Length < 2 || text[0] != '{' || text[1..].TrimStart() is not ['"', ..])
        {
            return config; // not JSON: an MLIR dictionary (or something else, which Parse refuses)
        }

        try
        {
            using var document = JsonDocument.Parse(config);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("custom_call_backend_config", out var custom)
                && custom.ValueKind == JsonValueKind.Object
                && custom.TryGetProperty("attributes", out var attributes)
                && attributes.ValueKind == JsonValueKind.String
                    ? attributes.GetString() ?? ""
                    : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>Name → value text of a dictionary attribute; null when the text is not one, or names an attribute twice.</summary>
    public static IReadOnlyDictionary<string, string>? Parse(string text)
    {
        var body = text.AsSpan().Trim();
        if (body.Length < 2 || body.Length > MaxLength || body[0] != '{' || body[^1] != '}')
        {
            return null;
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        body = body[1..^1];
        if (body.IsWhiteSpace())
        {
            return attributes;
        }

        foreach (var entry in TopLevel(body.ToString(), ','))
        {
            if (entry is null)
            {
                return null; // unbalanced brackets or quotes
            }

            var equals = TopLevel(entry, '=').ToList();
            if (equals.Count < 2 || equals.Any(p => p is null))
            {
                return null;
            }

            var name = Unquote(equals[0]!.Trim());
            var value = entry[(equals[0]!.Length + 1)..].Trim();
            var typed = TopLevel(value, ':').ToList();
            if (typed.Count == 2 && typed[1] is { } type && type.Length > 0 && char.IsWhiteSpace(type[0]))
            {
                value = typed[0]!.Trim(); // "16 : i64" → "16"; a colon with no space before the type is part of the value
            }

            if (name.Length == 0 || value.Length == 0 || !attributes.TryAdd(name, value))
            {
                return null;
            }
        }

        return attributes;
    }

    /// <summary>The parts of <paramref name="text"/> split at <paramref name="separator"/> outside brackets and quotes; a null part when they do not balance.</summary>
    private static IEnumerable<string?> TopLevel(string text, char separator)
    {
        var depth = 0;
        var quoted = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case '{' or '[' or '(' or '<':
                    depth++;
                    break;
                case '}' or ']' or ')' or '>' when !(c == '>' && i > 0 && text[i - 1] == '-'): // "->" in a function type is no bracket
                    if (--depth < 0)
                    {
                        yield return null;
                        yield break;
                    }

                    break;
                default:
                    if (c == separator && depth == 0)
                    {
                        yield return text[start..i];
                        start = i + 1;
                    }

                    break;
            }
        }

        yield return depth == 0 && !quoted ? text[start..] : null;
    }

    private static string Unquote(string name)
    {
        if (name.Length < 2 || name[0] != '"' || name[^1] != '"')
        {
            return name;
        }

        var unquoted = new StringBuilder(name.Length);
        for (var i = 1; i < name.Length - 1; i++)
        {
            if (name[i] == '\\' && i + 1 < name.Length - 1)
            {
                i++;
            }

            unquoted.Append(name[i]);
        }

        return unquoted.ToString();
    }
}
