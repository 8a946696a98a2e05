using System.Globalization;
using Headroom.Tests.Support;
using Microsoft.Playwright;
using Xunit;

namespace Headroom.Tests.Cli;

/// <summary>
/// One headless Chromium (Debian's, at /usr/bin/chromium, driven by Playwright) shared by the browser tests. Without it the
/// tests skip with a message, or fail in CI (HEADROOM_REQUIRE_SHARED_DATA=1), where .ci/run installs it.
/// </summary>
public sealed class HtmlReportBrowser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser? Browser { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>The browser; skips the test (or fails it in CI) when Chromium is not installed.</summary>
    public IBrowser Require()
    {
        if (Browser is null)
        {
            var message = $"Chromium not found at {ChromiumPath}: the HTML report's browser tests need it (Debian: apt-get install chromium; .ci/run installs it)";
            if (Environment.GetEnvironmentVariable("HEADROOM_REQUIRE_SHARED_DATA") == "1")
            {
                Assert.Fail(message);
            }

            Assert.Skip(message);
        }

        return Browser!;
    }
}

/// <summary>
/// The HTML report opened in a real browser: charts drawn with the data's marks, tables with rows, no console error,
/// missing data said in words. Screenshots go to $TMPDIR/headroom-screenshots (or HEADROOM_SCREENSHOTS); with
/// HEADROOM_SCREENSHOT_SECTIONS=1 also one per section.
/// </summary>
public sealed class HtmlReportBrowserTests(HtmlReportBrowser browser) : IClassFixture<HtmlReportBrowser>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("headroom-html-browser-").FullName;

    public static string ScreenshotFolder { get; } = Directory.CreateDirectory(
        Environment.GetEnvironmentVariable("HEADROOM_SCREENSHOTS") is { Length: > 0 } s ? s : Path.Combine(Path.GetTempPath(), "headroom-screenshots")).FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Draws_the_two_rank_sample_with_one_roofline_mark_per_op_and_one_breakdown_bar_per_rank()
    {
        var page = await Open("h100-2rank", RepositoryFiles.Sample());

        // Then the per-rank breakdown has one bar per rank in every class, and the per-step chart one per step
        Assert.Equal(2, await page.EvaluateAsync<int>("headroomCharts.breakdownRanks.data.labels.length"));
        Assert.True(await page.EvaluateAsync<bool>("headroomCharts.breakdownRanks.data.datasets.every(d => d.data.length === 2)"));
        Assert.Equal(5, await page.EvaluateAsync<int>("headroomCharts.breakdownSteps.data.labels.length"));

        // And the roofline shows exactly one drawn mark per op of rank 0 with an intensity, plus the device's ceilings
        await AssertRooflineMarks(page, 0);
        Assert.True(await page.EvaluateAsync<int>("headroomCharts.roofline.data.datasets.filter(d => d.headroomKind === 'roof').length") >= 2);

        // And the tables have rows, the step-time chart one bar per rank, and no missing-data notice shows
        await AssertRows(page, "#kernel-table", 10);
        await AssertRows(page, "#op-table", 5);
        await AssertRows(page, "#roofline-table", 5);
        await AssertRows(page, "#collective-table", 1);
        await AssertRows(page, "#instance-table", 10);
        await AssertRows(page, "#straggler-table", 2);
        Assert.Equal(2, await page.EvaluateAsync<int>("headroomCharts.stepTimes.data.labels.length"));
        Assert.True(await page.Locator("#headroom-items tr").CountAsync() >= 3);
        Assert.Equal(0, await page.Locator("#notices .notice").CountAsync());
        Assert.Equal(0, await page.Locator(".section-error").CountAsync());

        // And hovering the largest mark shows one op: its name, shapes, dtype, efficiency and bound
        var tooltip = await HoverLargestRooflineMark(page);
        Assert.Equal(1, await page.EvaluateAsync<int>("headroomCharts.roofline.tooltip.dataPoints.length"));
        var op = await page.EvaluateAsync<string[]>("(o => [o.name, o.input_dims, o.dtype, (o.efficiency * 100).toFixed(1), o.bound])(headroomCharts.roofline.tooltip.dataPoints[0].raw.op)");
        Assert.Equal(op[0], tooltip[0]);
        Assert.StartsWith("aten::", op[0], StringComparison.Ordinal);
        Assert.Contains(tooltip, l => l == "shapes: " + op[1]);
        Assert.Contains(tooltip, l => l.StartsWith($"dtype: {op[2]} (matrix)", StringComparison.Ordinal));
        Assert.Contains(tooltip, l => l == $"efficiency: {op[3]}%, {op[4]}-bound");
        await page.Locator("#roofline").ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, "h100-2rank-roofline-hover.png") });

        // And choosing rank 1 redraws the per-rank sections for it
        await page.SelectOptionAsync("#rank-select", "1");
        Assert.Contains("rank 1", await page.Locator("#roofline h2").InnerTextAsync(), StringComparison.Ordinal);
        await AssertRooflineMarks(page, 1);
    }

    [Fact]
    public async Task Draws_a_TPU_XSpace_with_its_framework_ops()
    {
        // Given the JAX inference run on four TPU v6e chips
        var page = await Open("tpu-v6e-4chip", SharedData.Require("traces/xplane/xprof-tpu-v6e-4chip-jax-inference.xplane.pb"));

        // Then the page has a rank per chip, the XLA ops on the roofline, and a framework-op table with every op of the
        // report (the JAX add, the psum's reduce_sum, the broadcast) whose first row is the longest
        Assert.Equal(4, await page.EvaluateAsync<int>("headroomReport.ranks.length"));
        await AssertRooflineMarks(page, 0);
        var expected = await page.EvaluateAsync<int>("headroomReport.ranks[0].framework_ops.ops.length");
        Assert.Equal(3, expected);
        await AssertRows(page, "#framework-table", expected);
        Assert.Contains("jit(f)/jit(main)/add", await page.Locator("#framework-table tbody tr").First.InnerTextAsync(), StringComparison.Ordinal);

        // And the XLA ops read as their HLO name and result shape, the full instruction in the cell's title
        var kernel = page.Locator("#kernel-table tbody tr td.name").First;
        Assert.Equal("copy-done.2 f32[5,1024,1024,256]", await kernel.InnerTextAsync());
        Assert.StartsWith("%copy-done.2 = f32[5,1024,1024,256]{3,2,1,0:T(8,128)}", await kernel.GetAttributeAsync("title"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator(".section-error").CountAsync());
    }

    [Fact]
    public async Task Sorts_and_filters_a_table_in_the_page()
    {
        var page = await Open("h100-2rank-tables", RepositoryFiles.Sample(), screenshot: false);
        var rows = page.Locator("#kernel-table tbody tr");
        var all = await rows.CountAsync();

        // When the kernel table is filtered by a word, only matching rows stay
        await page.Locator("#tables input[type=search]").First.FillAsync("gemm");
        var filtered = await rows.CountAsync();
        Assert.InRange(filtered, 1, all - 1);
        foreach (var text in await rows.AllInnerTextsAsync())
        {
            Assert.Contains("gemm", text, StringComparison.OrdinalIgnoreCase);
        }

        // And clicking the Count header sorts by count, largest first
        await page.Locator("#tables input[type=search]").First.FillAsync("");
        await page.Locator("#kernel-table th", new() { HasText = "Count" }).ClickAsync();
        var counts = (await page.Locator("#kernel-table tbody tr td:nth-child(3)").AllInnerTextsAsync())
            .Select(t => long.Parse(t.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(counts.OrderByDescending(c => c).ToList(), counts);
    }

    [Fact]
    public async Task Draws_a_real_single_rank_inference_trace()
    {
        var page = await Open("bert-h100", SharedData.Require("traces/kineto/tracelens-h100-bert-small-infer.json.gz"));

        Assert.Equal(1, await page.EvaluateAsync<int>("headroomCharts.breakdownRanks.data.labels.length"));
        Assert.Equal(12, await AssertRooflineMarks(page, 0));
        await AssertRows(page, "#kernel-table", 5);
        await AssertRows(page, "#op-table", 5);
        Assert.Contains("One rank", await page.Locator("#job").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Opens_an_eight_rank_job_in_under_two_seconds_with_its_stragglers_and_collectives()
    {
        var page = await Open("dlrm-8rank", SharedData.Require("traces/kineto/param-v100-dlrm-8rank"));

        // The page's own build (parse the data, lay out, draw every chart), measured in the page
        var renderMs = await page.EvaluateAsync<double>("window.headroomRenderMs");
        var loadMs = await page.EvaluateAsync<double>("window.headroomReadyMs");
        TestContext.Current.TestOutputHelper?.WriteLine($"8-rank report: {new FileInfo(Path.Combine(_folder, "dlrm-8rank.html")).Length / 1024} KB, page render {renderMs:F0} ms, {loadMs:F0} ms from navigation to ready");
        Assert.InRange(renderMs, 0, 2000);
        Assert.InRange(loadMs, 0, 2000);
        Assert.Equal(8, await page.EvaluateAsync<int>("headroomCharts.breakdownRanks.data.labels.length"));
        Assert.Equal(8, await page.EvaluateAsync<int>("headroomCharts.stepTimes.data.labels.length"));
        await AssertRooflineMarks(page, 0);
        await AssertRows(page, "#straggler-table", 8);
        await AssertRows(page, "#collective-table", 2);
        await AssertRows(page, "#instance-table", 8);
        await AssertRows(page, "#diagnostic-table", 1);
        Assert.Contains("straggler: rank 7", await page.Locator("#summary").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Says_what_is_missing_for_a_trace_without_GPU_events()
    {
        var page = await Open("cpu-only", SharedData.Require("traces/kineto/hta-cpu-only-rank34.json.gz"));

        // Then a notice names the missing GPU events, and the sections say so instead of drawing empty charts
        Assert.Contains("No GPU events in rank 34", await page.Locator("#notices [data-missing=gpu]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.EvaluateAsync<int>("Object.keys(headroomCharts).length"));
        Assert.Contains("No GPU events, so no breakdown", await page.Locator("#breakdown").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("No GPU events, so no roofline", await page.Locator("#roofline").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("canvas").CountAsync());
        await AssertRows(page, "#diagnostic-table", 1);
    }

    [Fact]
    public async Task Says_what_is_missing_for_unknown_hardware_and_no_steps()
    {
        var page = await Open("mtia-unknown-hardware", SharedData.Require("traces/kineto/hta-mtia-inference.json.gz"));

        // Then notices name the unrecognised device and the missing steps, with how to fix each
        var hardware = await page.Locator("#notices [data-missing=hardware]").InnerTextAsync();
        Assert.Contains("no catalog device matches \u201cARTEMIS\u201d", hardware, StringComparison.Ordinal);
        Assert.Contains("--hardware NAME", hardware, StringComparison.Ordinal);
        Assert.Contains("prof.step()", await page.Locator("#notices [data-missing=steps]").InnerTextAsync(), StringComparison.Ordinal);

        // And the breakdown still draws; the roofline explains itself instead of drawing an empty chart
        Assert.Equal(1, await page.EvaluateAsync<int>("headroomCharts.breakdownRanks.data.labels.length"));
        Assert.False(await page.EvaluateAsync<bool>("'roofline' in headroomCharts"));
        Assert.Contains("Unknown hardware", await page.Locator("#roofline").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("MFU", await page.Locator("#summary").InnerTextAsync(), StringComparison.Ordinal);
        await AssertRows(page, "#kernel-table", 3);
    }

    [Fact]
    public async Task Shows_a_hostile_op_name_as_text_and_runs_no_injected_script()
    {
        var page = await Open("hostile", HtmlReportTests.HostileTrace(_folder), screenshot: false);

        // Then the op table shows the name as it is (Open fails on any dialog, console error or extra script)
        Assert.Contains(HtmlReportTests.HostileName, await page.Locator("#op-table").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(3, await page.Locator("script").CountAsync());
    }

    [Fact]
    public async Task Draws_a_synthetic_trace_of_an_unknown_device_with_points_and_no_ceilings()
    {
        // Given a trace naming a device the catalog does not know, with one matrix multiply of recorded shapes
        var trace = new KinetoTraceBuilder()
            .Step(1, 0, 2000)
            .Op("aten::mm", 10, 50, inputDims: "[[1024, 1024], [1024, 1024]]")
            .Launch(1, 20, 5)
            .Kernel("ampere_sgemm_128x64_tn", 100, 800, 1);
        var path = Path.Combine(_folder, "mystery.json");
        File.WriteAllText(path, trace.ToJson(device: "Mystery Accelerator 9000"));
        var page = await Open("unknown-device", path);

        // Then the notice names the device, and nothing fails
        Assert.Contains("Mystery Accelerator 9000", await page.Locator("#notices [data-missing=hardware]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator(".section-error").CountAsync());
    }

    /// <summary>Writes the report for <paramref name="input"/>, opens it from disk, checks for console errors, saves a screenshot.</summary>
    private async Task<IPage> Open(string name, string input, bool screenshot = true)
    {
        var chromium = browser.Require();
        var html = Path.Combine(_folder, name + ".html");
        var (code, _, stderr) = CliRunner.Run("report", input, "-o", html);
        Assert.True(code == 0, stderr);

        var context = await chromium.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type is "error" or "warning")
            {
                problems.Add($"console {m.Type}: {m.Text}");
            }
        };
        page.PageError += (_, e) => problems.Add("page error: " + e);
        page.Dialog += async (_, d) =>
        {
            problems.Add("dialog: " + d.Message);
            await d.DismissAsync();
        };
        page.Request += (_, r) =>
        {
            if (!r.Url.StartsWith("file:", StringComparison.Ordinal) && !r.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                problems.Add("network request: " + r.Url);
            }
        };

        await page.GotoAsync(new Uri(html).AbsoluteUri);
        await page.WaitForSelectorAsync("body[data-ready='1']", new() { Timeout = 10_000 });
        if (screenshot)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
            if (Environment.GetEnvironmentVariable("HEADROOM_SCREENSHOT_SECTIONS") == "1")
            {
                // One picture per section, at full resolution, for reviewing the design closely
                foreach (var id in await page.EvaluateAsync<string[]>("[...document.querySelectorAll('section.card')].map(s => s.id)"))
                {
                    await page.Locator("#" + id).ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, $"{name}-{id}.png") });
                }
            }
        }

        Assert.Empty(problems);
        return page;
    }

    /// <summary>The roofline chart of the shown rank draws exactly one mark per op of the report with an intensity; returns the count.</summary>
    private static async Task<int> AssertRooflineMarks(IPage page, int rankIndex)
    {
        var expected = await page.EvaluateAsync<int>(
            $"headroomReport.ranks[{rankIndex}].roofline.ops.filter(o => o.intensity > 0 && o.time_ns > 0 && o.achieved_flops_per_s > 0).length");
        var drawn = await page.EvaluateAsync<int>("""
            (() => { const c = headroomCharts.roofline; return c.data.datasets
                .map((d, i) => d.headroomKind === 'ops' ? c.getDatasetMeta(i).data.filter(p => isFinite(p.x) && isFinite(p.y)).length : 0)
                .reduce((a, b) => a + b, 0); })()
            """);
        Assert.True(expected > 0, "the rank has no op with an intensity");
        Assert.Equal(expected, drawn);
        return drawn;
    }

    /// <summary>Moves the mouse onto the roofline's largest mark; returns the tooltip's title then its lines.</summary>
    private static async Task<string[]> HoverLargestRooflineMark(IPage page)
    {
        await page.Locator("#roofline canvas").ScrollIntoViewIfNeededAsync();
        var at = await page.EvaluateAsync<double[]>("""
            (() => { const c = headroomCharts.roofline; let best = null;
                c.data.datasets.forEach((d, i) => { if (d.headroomKind !== 'ops') return;
                    c.getDatasetMeta(i).data.forEach((p, j) => { const t = d.data[j].op.time_ns; if (!best || t > best.t) best = { t, x: p.x, y: p.y }; }); });
                const r = c.canvas.getBoundingClientRect(); return [r.left + best.x, r.top + best.y]; })()
            """);
        await page.Mouse.MoveAsync((float)at[0], (float)at[1]);
        return await page.EvaluateAsync<string[]>("(() => { const t = headroomCharts.roofline.tooltip; return [...t.title, ...t.body.flatMap(b => b.lines)]; })()");
    }

    private static async Task AssertRows(IPage page, string table, int atLeast)
    {
        var rows = await page.Locator(table + " tbody tr:not(.empty-row)").CountAsync();
        Assert.True(rows >= atLeast, $"{table} has {rows} rows, expected at least {atLeast}");
    }
}
