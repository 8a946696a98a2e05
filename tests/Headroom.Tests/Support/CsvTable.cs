using System.Text;

namespace Headroom.Tests.Support;

/// <summary>
/// A small RFC 4180 reader for the reference CSVs written by pandas (<c>DataFrame.to_csv(index=True)</c>): the first
/// column is the unnamed pandas index, fields may be quoted, and quoted fields may hold commas, doubled quotes and
/// line breaks (kernel names such as <c>"ncclKernel_SendRecv(ncclDevComm*, unsigned long, ncclWork*)"</c>).
/// </summary>
public sealed class CsvTable
{
    private readonly Dictionary<string, int> _columns;

    private CsvTable(IReadOnlyList<string> header, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        Header = header;
        Rows = rows;
        _columns = [];
        for (var i = 0; i < header.Count; i++)
        {
            _columns.TryAdd(header[i], i);
        }
    }

    /// <summary>Column names; pandas leaves the index column's name empty.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>Data rows (header excluded), each with one field per column.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    /// <summary>The field of <paramref name="column"/> in data row <paramref name="row"/>.</summary>
    public string this[int row, string column] =>
        _columns.TryGetValue(column, out var c) ? Rows[row][c] : throw new KeyNotFoundException($"no column \"{column}\" in [{string.Join(", ", Header)}]");

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    public static CsvTable Read(string path) => Parse(File.ReadAllText(path, Encoding.UTF8));

    /// <summary>Parses CSV text; the first record is the header. Every record must have as many fields as the header.</summary>
    public static CsvTable Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var fieldStarted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    record.Add(field.ToString());
                    field.Clear();
                    fieldStarted = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    EndRecord();
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }

        if (quoted)
        {
            throw new FormatException("the CSV text ends inside a quoted field");
        }

        EndRecord();
        if (records.Count == 0)
        {
            throw new FormatException("the CSV text has no header");
        }

        var header = records[0];
        for (var r = 1; r < records.Count; r++)
        {
            if (records[r].Count != header.Count)
            {
                throw new FormatException($"record {r} has {records[r].Count} fields; the header has {header.Count}");
            }
        }

        return new CsvTable(header, [.. records.Skip(1)]);

        void EndRecord()
        {
            if (fieldStarted || field.Length > 0 || record.Count > 0)
            {
                record.Add(field.ToString());
                records.Add(record);
            }

            record = [];
            field.Clear();
            fieldStarted = false;
        }
    }
}
