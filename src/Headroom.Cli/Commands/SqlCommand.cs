using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Headroom.Cli.Rendering;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom sql "SELECT ..."</c>: a read-only query over the run store (tables in docs/store.md).</summary>
public static class SqlCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var query = new Argument<string>("query") { Description = "One SQL statement over the store's tables (docs/store.md); the store is opened read-only." };
        var format = new Option<string>("--format", "-f") { Description = "table, csv or json.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var store = RunsCommand.StoreOption();
        var command = new Command("sql", "Query the run store with SQL (read-only): tables runs, inputs, metadata, ranks, steps, ops, kernels, "
            + "roofline_ops, headroom_items, reports (docs/store.md).") { query, format, store };
        command.SetAction(p => Execute(p.GetValue(store), p.GetValue(query)!, p.GetValue(format) ?? "table", stdout, stderr));
        return command;
    }

    /// <summary>Runs the query and writes its rows; errors are one line and exit 2.</summary>
    public static int Execute(string? storePath, string query, string format, TextWriter stdout, TextWriter stderr) =>
        RunsCommand.WithStore(storePath, true, stderr, store =>
        {
            var (columns, rows) = store.Query(query);
            switch (format)
            {
                case "csv":
                    WriteCsv(columns, rows, stdout);
                    break;
                case "json":
                    WriteJson(columns, rows, stdout);
                    break;
                default:
                    var table = new TextTable(columns);
                    foreach (var row in rows)
                    {
                        table.Add(row);
                    }

                    table.Write(stdout);
                    stdout.WriteLine($"({rows.Count} row{(rows.Count == 1 ? "" : "s")})");
                    break;
            }

            return ExitCodes.Ok;
        });

    private static void WriteCsv(IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows, TextWriter stdout)
    {
        stdout.WriteLine(string.Join(",", columns.Select(Quote)));
        foreach (var row in rows)
        {
            stdout.WriteLine(string.Join(",", row.Select(v => Quote(v switch
            {
                null => "",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                byte[] b => Convert.ToBase64String(b),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => v.ToString() ?? "",
            }))));
        }
    }

    /// <summary>RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes.</summary>
    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    private static void WriteJson(IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows, TextWriter stdout)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartArray();
            foreach (var row in rows)
            {
                w.WriteStartObject();
                for (var i = 0; i < columns.Count; i++)
                {
                    switch (row[i])
                    {
                        case null:
                            w.WriteNull(columns[i]);
                            break;
                        case long l:
                            w.WriteNumber(columns[i], l);
                            break;
                        case double d when double.IsFinite(d):
                            w.WriteNumber(columns[i], d);
                            break;
                        case byte[] b:
                            w.WriteBase64String(columns[i], b);
                            break;
                        case var v:
                            w.WriteString(columns[i], Convert.ToString(v, CultureInfo.InvariantCulture));
                            break;
                    }
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        stdout.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
