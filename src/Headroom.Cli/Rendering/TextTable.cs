using System.Globalization;
using System.Text;

namespace Headroom.Cli.Rendering;

/// <summary>
/// A plain aligned text table (no colour, no borders) for outputs that may have thousands of rows (<c>runs list</c>,
/// <c>sql</c>): numbers right-aligned, long cells cut at <see cref="MaxCell"/> characters with an ellipsis.
/// </summary>
public sealed class TextTable(IReadOnlyList<string> headers)
{
    /// <summary>Widest cell shown.</summary>
    public const int MaxCell = 80;

    private readonly List<string[]> _rows = [];
    private readonly bool[] _text = new bool[headers.Count];

    /// <summary>Adds a row; a null cell shows as empty.</summary>
    public void Add(IReadOnlyList<object?> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var row = new string[headers.Count];
        for (var i = 0; i < row.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] : null;
            row[i] = Format(cell);
            _text[i] |= cell is string;
        }

        _rows.Add(row);
    }

    /// <summary>Writes the header, a rule and the rows.</summary>
    public void Write(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var line = new StringBuilder();
        void Emit(IReadOnlyList<string> cells, bool header)
        {
            line.Clear();
            for (var i = 0; i < cells.Count; i++)
            {
                var last = i == cells.Count - 1;
                var cell = header || _text[i] ? (last ? cells[i] : cells[i].PadRight(widths[i])) : cells[i].PadLeft(widths[i]);
                line.Append(cell);
                if (!last)
                {
                    line.Append("  ");
                }
            }

            writer.WriteLine(line.ToString().TrimEnd());
        }

        Emit(headers, true);
        Emit([.. widths.Select(w => new string('-', w))], true);
        foreach (var row in _rows)
        {
            Emit(row, false);
        }
    }

    private static string Format(object? cell)
    {
        var text = cell switch
        {
            null => "",
            double d => Math.Abs(d) < 1e15 ? d.ToString("0.######", CultureInfo.InvariantCulture) : d.ToString("G6", CultureInfo.InvariantCulture),
            byte[] b => $"<{b.Length} bytes>",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => cell.ToString() ?? "",
        };
        text = text.ReplaceLineEndings(" ");
        return text.Length > MaxCell ? text[..(MaxCell - 1)] + "…" : text;
    }
}
