using System.Text;
using Headroom.Report;

namespace Headroom.Cli.Rendering;

/// <summary>
/// Writes an <see cref="AnalyzeReport"/> as one self-contained HTML page (docs/html-report.md): the report's JSON rendering
/// embedded as data, the bundled Chart.js build, the page's CSS and the script that builds the page from the data. It
/// computes nothing: every number on the page comes from the JSON, and nothing is fetched when the page opens.
/// </summary>
public static class HtmlReportRenderer
{
    /// <summary>The id of the <c>&lt;script type="application/json"&gt;</c> element that holds the report.</summary>
    public const string DataElementId = "headroom-data";

    /// <summary>Name and version of the bundled charting library (src/Headroom.Cli/Rendering/Html/README.md).</summary>
    public const string ChartLibrary = "Chart.js 4.6.1";

    private static readonly Lazy<Assets> Bundle = new(Assets.Load);

    /// <summary>Writes the page for <paramref name="report"/> to <paramref name="output"/> (UTF-8).</summary>
    public static void Write(AnalyzeReport report, Stream output)
    {
        using var json = new MemoryStream();
        JsonReportRenderer.Write(report, json, indented: false);
        var assets = Bundle.Value;
        using var w = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        w.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        w.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        w.Write("<meta name=\"generator\" content=\"headroom ");
        w.Write(EscapeText(report.ToolVersion));
        w.Write("\">\n<title>Headroom report</title>\n<style>\n");
        w.Write(assets.Css);
        w.Write("</style>\n</head>\n<body>\n<div id=\"app\"><noscript>This report is drawn by JavaScript: enable it to read the report.</noscript></div>\n");
        w.Write("<script type=\"application/json\" id=\"" + DataElementId + "\">");
        w.Write(EscapeJsonForScript(ForPage(Encoding.UTF8.GetString(json.GetBuffer(), 0, (int)json.Length))));
        w.Write("</script>\n<script>\n");
        w.Write(assets.ChartJs);
        w.Write("\n</script>\n<script>\n");
        w.Write(assets.ReportJs);
        w.Write("\n</script>\n<!--\nThird-party code in this page (licences in full):\n\n");
        w.Write(assets.Licences);
        w.Write("\n-->\n</body>\n</html>\n");
    }

    /// <summary>Ranks embedded with every table; beyond this many ranks the others keep their summary and top rows only.</summary>
    public const int DetailedRanks = 8;

    /// <summary>Rows kept per table for the ranks beyond <see cref="DetailedRanks"/>.</summary>
    public const int SummaryRows = 5;

    /// <summary>
    /// The JSON report as the page embeds it: the same document without what the page never shows (each step's top
    /// kernels, per-stream idle rows, the longest launch delays; the totals stay), and, past <see cref="DetailedRanks"/>
    /// ranks, only the top rows of the kernel, op, roofline, framework-op and headroom tables (without formulas, notes and evidence
    /// texts) for the ranks that are neither among the longest windows nor named stragglers. It selects; it computes
    /// nothing. Keeps a many-rank page small (docs/html-report.md).
    /// </summary>
    public static string ForPage(string json)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        var ranks = root["ranks"]!.AsArray();
        var stragglers = root["stragglers"] is System.Text.Json.Nodes.JsonObject st
            ? st["named"]!.AsArray().Select(n => n!.GetValue<int>()).ToHashSet()
            : [];
        var detailed = ranks.Count <= DetailedRanks
            ? ranks.Select(r => r!["rank"]!.GetValue<int>()).ToHashSet()
            : ranks.OrderByDescending(r => r!["breakdown"]!["window_ns"]!.GetValue<long>()).Take(DetailedRanks)
                .Select(r => r!["rank"]!.GetValue<int>()).Concat(stragglers).ToHashSet();
        foreach (var rank in ranks.Select(r => r!.AsObject()))
        {
            foreach (var step in rank["steps"]!.AsArray())
            {
                step!["top_kernels"] = new System.Text.Json.Nodes.JsonArray();
            }

            foreach (var stream in rank["idle"]!["streams"]!.AsArray())
            {
                stream!["categories"] = new System.Text.Json.Nodes.JsonArray();
            }

            rank["launch"]!["outliers"]!["top_delays"] = new System.Text.Json.Nodes.JsonArray();
            rank["roofline"]!["cost_checks"] = new System.Text.Json.Nodes.JsonArray(); // not shown on the page
            if (!detailed.Contains(rank["rank"]!.GetValue<int>()))
            {
                Keep(rank["breakdown"]!["kernels"]!.AsArray(), SummaryRows);
                rank["breakdown"]!["kernel_types"] = new System.Text.Json.Nodes.JsonArray();
                Keep(rank["ops"]!.AsArray(), SummaryRows);
                var roofline = rank["roofline"]!;
                roofline["notes"] = new System.Text.Json.Nodes.JsonArray();
                Keep(roofline["ops"]!.AsArray(), SummaryRows);
                foreach (var op in roofline["ops"]!.AsArray())
                {
                    op!["formula"] = "";
                    op["note"] = "";
                }

                Keep(rank["framework_ops"]!["ops"]!.AsArray(), SummaryRows);
                Keep(rank["headroom"]!["items"]!.AsArray(), 3);
                foreach (var item in rank["headroom"]!["items"]!.AsArray())
                {
                    item!["evidence"] = "";
                    item["method"] = "";
                }
            }
        }

        return root.ToJsonString();
    }

    private static void Keep(System.Text.Json.Nodes.JsonArray rows, int count)
    {
        while (rows.Count > count)
        {
            rows.RemoveAt(rows.Count - 1);
        }
    }

    /// <summary>
    /// Makes JSON text safe inside a <c>&lt;script&gt;</c> element: every <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> becomes
    /// its JSON escape, so no <c>&lt;/script</c> or <c>&lt;!--</c> can end or change the element. These characters only
    /// occur inside JSON strings, where the escape means the same character to <c>JSON.parse</c>.
    /// </summary>
    public static string EscapeJsonForScript(string json) =>
        json.Replace("<", "\\u003c", StringComparison.Ordinal).Replace(">", "\\u003e", StringComparison.Ordinal)
            .Replace("&", "\\u0026", StringComparison.Ordinal)
            .Replace("\u2028", "\\u2028", StringComparison.Ordinal).Replace("\u2029", "\\u2029", StringComparison.Ordinal);

    private static string EscapeText(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    /// <summary>The page's embedded resources, read once.</summary>
    private sealed record Assets(string Css, string ChartJs, string ReportJs, string Licences)
    {
        public static Assets Load()
        {
            // The library file is kept byte for byte as npm ships it; its source-map comment would point the browser's
            // developer tools at a file that is not there, so it is left out of the page.
            var chart = string.Join('\n', Read("chart.umd.min.js").Split('\n').Where(l => !l.StartsWith("//# sourceMappingURL=", StringComparison.Ordinal)));
            var script = Read("report.js");
            if (chart.Contains("</script", StringComparison.OrdinalIgnoreCase) || script.Contains("</script", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException("an embedded script contains '</script'");
            }

            var licences = ChartLibrary + " (https://www.chartjs.org), MIT licence:\n\n" + Read("chart.js.LICENSE.md").Trim()
                + "\n\n@kurkle/color 0.3.4 (bundled inside Chart.js), MIT licence:\n\n" + Read("kurkle-color.LICENSE.md").Trim();
            return new Assets(Read("report.css"), chart, script, licences.Replace("--", "- -", StringComparison.Ordinal));
        }

        private static string Read(string name)
        {
            using var stream = typeof(HtmlReportRenderer).Assembly.GetManifestResourceStream("Headroom.Cli.Rendering.Html." + name)
                ?? throw new InvalidOperationException($"embedded resource {name} is missing");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
    }
}
