using System.Text.Json;
using System.Text.RegularExpressions;
using Headroom.Cli.Rendering;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Cli;

/// <summary>Specification of <c>headroom report</c> and <see cref="HtmlReportRenderer"/>: one self-contained page (docs/html-report.md).</summary>
public sealed partial class HtmlReportTests : IDisposable
{
    internal const string HostileName = "</script><script>alert(1)</script><!--";
    private readonly string _folder = Directory.CreateTempSubdirectory("headroom-html-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Writes_one_file_holding_the_report_data_the_charting_library_and_its_licence()
    {
        // Given the shipped two-rank sample
        var path = Path.Combine(_folder, "sample.html");

        // When the report is written
        var (code, stdout, stderr) = CliRunner.Run("report", RepositoryFiles.Sample(), "-o", path);

        // Then it says where, and the page embeds the JSON report of both ranks, Chart.js and its MIT licence
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.StartsWith($"wrote {path} (", stdout, StringComparison.Ordinal);
        var html = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        using var data = EmbeddedData(html);
        Assert.Equal(Headroom.Report.AnalyzeReport.CurrentSchemaVersion, data.RootElement.GetProperty("schema_version").GetInt32());
        Assert.Equal(2, data.RootElement.GetProperty("ranks").GetArrayLength());
        Assert.Contains("Chart.js v4.6.1", html, StringComparison.Ordinal);
        Assert.Contains("Permission is hereby granted, free of charge", html, StringComparison.Ordinal);
    }

    [Fact]
    public void References_no_resource_outside_the_file()
    {
        // Given the page for the sample
        var path = Path.Combine(_folder, "sample.html");
        Assert.Equal(0, CliRunner.Run("report", RepositoryFiles.Sample(), "-o", path).ExitCode);
        var html = File.ReadAllText(path);

        // Then nothing is loaded from elsewhere: no src or href to a URL, no stylesheet link, no CSS import or url(),
        // no web font and no source map
        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
        Assert.DoesNotContain("@font-face", html, StringComparison.Ordinal);
        Assert.DoesNotContain("sourceMappingURL", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex(@"<script[^>]*\ssrc\s*=", RegexOptions.IgnoreCase), html);

        // And it has exactly three scripts: the data, the library and the page's own
        Assert.Equal(3, Regex.Count(html, "<script", RegexOptions.IgnoreCase));
    }

    [Fact]
    public void Keeps_a_hostile_op_name_inside_the_data_as_text()
    {
        // Given a trace whose op and kernel are named to break out of a script element
        var trace = HostileTrace(_folder);
        var path = Path.Combine(_folder, "hostile.html");

        // When the report is written
        Assert.Equal(0, CliRunner.Run("report", trace, "-o", path).ExitCode);
        var html = File.ReadAllText(path);

        // Then the name never appears raw: still three script elements, no stray comment opener outside the licence comment
        Assert.DoesNotContain(HostileName, html, StringComparison.Ordinal);
        Assert.DoesNotContain("alert(1)</script>", html, StringComparison.Ordinal);
        Assert.Equal(3, Regex.Count(html, "<script", RegexOptions.IgnoreCase));
        Assert.Equal(1, Regex.Count(html, "<!--"));

        // And the embedded data still parses to the exact name
        using var data = EmbeddedData(html);
        var ops = data.RootElement.GetProperty("ranks")[0].GetProperty("ops").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ToList();
        Assert.Contains(HostileName, ops);
    }

    [Theory]
    [InlineData("a</script>b", "a\\u003c/script\\u003eb")]
    [InlineData("<!--", "\\u003c!--")]
    [InlineData("x & y", "x \\u0026 y")]
    [InlineData("line\u2028sep", "line\\u2028sep")]
    public void Escapes_json_text_for_a_script_element(string text, string escaped) =>
        Assert.Equal(escaped, HtmlReportRenderer.EscapeJsonForScript(text));

    [Fact]
    public void Keeps_an_eight_rank_job_under_five_megabytes()
    {
        // Given the 8-rank DLRM job
        var job = SharedData.Require("traces/kineto/param-v100-dlrm-8rank");
        var path = Path.Combine(_folder, "dlrm.html");

        // When its report is written
        Assert.Equal(0, CliRunner.Run("report", job, "-o", path).ExitCode);

        // Then the page is far under 5 MB, with every rank's summary in it
        Assert.InRange(new FileInfo(path).Length, 100_000, 5_000_000);
        using var data = EmbeddedData(File.ReadAllText(path));
        Assert.Equal(8, data.RootElement.GetProperty("ranks").GetArrayLength());
        Assert.All(data.RootElement.GetProperty("ranks").EnumerateArray(), r => Assert.InRange(r.GetProperty("roofline").GetProperty("ops").GetArrayLength(), 0, 50));
        Assert.InRange(data.RootElement.GetProperty("collectives").GetProperty("instances").GetArrayLength(), 1, 200);
    }

    [Fact]
    public void Keeps_a_256_rank_job_under_five_megabytes_with_every_rank_summarised()
    {
        // Given the 8 real DLRM ranks analysed, repeated as a 256-rank job (rank ids 0..255)
        var load = Headroom.Ingest.TraceLoader.Load([SharedData.Require("traces/kineto/param-v100-dlrm-8rank")]);
        Assert.NotNull(load.Run);
        var result = Headroom.Analysis.TraceAnalysis.Analyze(load.Run, new Headroom.Analysis.AnalysisOptions());
        var ranks = Enumerable.Range(0, 256).Select(i => result.Ranks[i % 8] with { Rank = i }).ToList();
        var report = Headroom.Report.AnalyzeReport.Create(result with { Ranks = ranks });

        // When the page is written
        using var page = new MemoryStream();
        HtmlReportRenderer.Write(report, page);

        // Then it stays under 5 MB: the 8 longest ranks keep every table, the others their summary and top rows
        Assert.InRange(page.Length, 100_000, 5_000_000);
        using var data = EmbeddedData(System.Text.Encoding.UTF8.GetString(page.ToArray()));
        var embedded = data.RootElement.GetProperty("ranks").EnumerateArray().ToList();
        Assert.Equal(256, embedded.Count);
        var detailed = embedded.Where(r => r.GetProperty("roofline").GetProperty("ops").GetArrayLength() > HtmlReportRenderer.SummaryRows)
            .Select(r => r.GetProperty("rank").GetInt32()).ToHashSet();
        var named = result.Collectives!.Stragglers.Stragglers; // rank 7 of the real job: kept in full wherever it ranks
        Assert.Subset(detailed, named.ToHashSet());
        Assert.InRange(detailed.Count, HtmlReportRenderer.DetailedRanks, HtmlReportRenderer.DetailedRanks + named.Count);
        Assert.All(embedded, r => Assert.True(r.GetProperty("breakdown").GetProperty("window_ns").GetInt64() > 0));
        Assert.All(embedded, r => Assert.All(r.GetProperty("steps").EnumerateArray(), st => Assert.Equal(0, st.GetProperty("top_kernels").GetArrayLength())));
    }

    [Fact]
    public void Reports_bad_input_in_one_line_with_exit_code_2_and_writes_nothing()
    {
        // Given a path that does not exist
        var path = Path.Combine(_folder, "never.html");

        // When a report is asked for
        var (code, stdout, stderr) = CliRunner.Run("report", Path.Combine(_folder, "missing.json"), "-o", path);

        // Then one error line, exit code 2, and no page
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("headroom: error: ", line, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Rejects_an_unknown_hardware_name_like_analyze()
    {
        var (code, _, stderr) = CliRunner.Run("report", RepositoryFiles.Sample(), "--hardware", "no-such-gpu", "-o", Path.Combine(_folder, "x.html"));
        Assert.Equal(2, code);
        Assert.StartsWith("headroom: error: --hardware 'no-such-gpu' is not in the catalog", stderr, StringComparison.Ordinal);
    }

    /// <summary>The JSON report inside the page's data element.</summary>
    internal static JsonDocument EmbeddedData(string html)
    {
        var match = DataElement().Match(html);
        Assert.True(match.Success, "the page has no headroom-data script element");
        return JsonDocument.Parse(match.Groups[1].Value);
    }

    /// <summary>A one-step H100 trace whose op and kernel names try to close the script element.</summary>
    internal static string HostileTrace(string folder)
    {
        var trace = new KinetoTraceBuilder()
            .Step(1, 0, 1000)
            .LaunchedKernel(HostileName, "<!--<script>kernel</script>", 1, 10, 50, 400)
            .LaunchedKernel("aten::add", "vectorized_elementwise_kernel", 2, 30, 500, 100);
        var path = Path.Combine(folder, "hostile.json");
        File.WriteAllText(path, trace.ToJson());
        return path;
    }

    [GeneratedRegex("""<script type="application/json" id="headroom-data">(.*?)</script>""", RegexOptions.Singleline)]
    private static partial Regex DataElement();

    [GeneratedRegex("""(src|href)\s*=\s*["']?\s*(https?:)?//""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
