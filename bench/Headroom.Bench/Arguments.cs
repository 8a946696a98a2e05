namespace Headroom.Bench;

/// <summary>Minimal "--name value" parsing for the bench verbs.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public Arguments(string[] args, params string[] flags)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (flags.Contains(a))
                {
                    _flags.Add(a);
                }
                else if (i + 1 < args.Length)
                {
                    _options[a] = args[++i];
                }
                else
                {
                    throw new ArgumentException($"{a} needs a value");
                }
            }
            else
            {
                Positional.Add(a);
            }
        }
    }

    public List<string> Positional { get; } = [];

    public string? Get(string name) => _options.GetValueOrDefault(name);

    public bool Has(string name) => _flags.Contains(name);

    public int Int(string name, int fallback) => _options.TryGetValue(name, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
