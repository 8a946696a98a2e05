namespace Headroom.Model;

/// <summary>
/// Interned strings of one rank. Every name, category and argument text in the model is an
/// <see cref="int"/> id into this table; id 0 is always the empty string.
/// </summary>
public sealed class StringTable
{
    private readonly string[] _strings;

    internal StringTable(string[] strings) => _strings = strings;

    /// <summary>Number of distinct strings.</summary>
    public int Count => _strings.Length;

    /// <summary>The string with the given id.</summary>
    public string this[int id] => _strings[id];

    /// <summary>The id of <paramref name="value"/>, or -1 when the rank never used it (linear scan: for lookups outside hot loops).</summary>
    public int IndexOf(string value) => Array.IndexOf(_strings, value);
}
