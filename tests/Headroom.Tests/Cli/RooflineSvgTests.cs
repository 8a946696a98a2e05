using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Headroom.Analysis.Roofline;
using Headroom.Cli.Rendering;
using Headroom.Hardware;
using Headroom.Tests.Support;
using Xunit;
using CostUnit = Headroom.Costs.ComputeUnit;

namespace Headroom.Tests.Cli;

/// <summary>Specification of <c>headroom analyze --roofline-svg FILE</c> and of <see cref="RooflineSvgRenderer"/>.</summary>
public sealed class RooflineSvgTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly DeviceSpec H100 = HardwareCatalog.BuiltIn.Find("h100-sxm")!;
    private readonly string _folder = Directory.CreateTempSubdirectory("headroom-svg-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Writes_one_point_per_op_with_an_intensity_for_a_real_trace()
    {
        // Given a real H100 BERT inference trace
        var trace = SharedData.Require("traces/kineto/tracelens-h100-bert-small-infer.json.gz");
        var path = Path.Combine(_folder, "bert.svg");

        // When it is analysed with --json and --roofline-svg
        var (code, stdout, stderr) = CliRunner.Run("analyze", trace, "--json", "--roofline-svg", path);

        // Then the report still goes to stdout, and the chart is an SVG document
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var svg = XDocument.Load(path);
        Assert.Equal(Svg + "svg", svg.Root!.Name);

        // And it has one marker per op of the report with an intensity, a time and FLOPs: 12 of the 15
        var ops = JsonDocument.Parse(stdout).RootElement.GetProperty("ranks")[0].GetProperty("roofline").GetProperty("ops").EnumerateArray().ToList();
        var plottable = ops.Count(o => o.GetProperty("intensity").ValueKind == JsonValueKind.Number && o.GetProperty("intensity").GetDouble() > 0
            && o.GetProperty("time_ns").GetInt64() > 0 && o.GetProperty("achieved_flops_per_s").GetDouble() > 0);
        Assert.Equal(15, ops.Count);
        Assert.Equal(12, plottable);
        Assert.Equal(plottable, Markers(svg).Count);

        // And the title names the rank and the catalog device, the subtitle what was left out
        var texts = Texts(svg);
        Assert.Contains("Roofline of rank 0 on NVIDIA H100 SXM5 80GB", texts);
        Assert.Contains(texts, t => t.StartsWith("12 ops (marker area ∝ device time); 3 without an intensity", StringComparison.Ordinal));
    }

    [Fact]
    public void Labels_the_memory_roof_and_every_compute_peak_of_the_device_with_its_catalog_value()
    {
        // Given one bf16 matrix op on an H100
        var chart = RooflineSvgRenderer.Render(Result(H100, Op("aten::mm", 100, 1_000_000, 200e12, RooflineBound.Memory)), 0, "NVIDIA H100 80GB HBM3");
        var texts = Texts(XDocument.Parse(chart.Svg));

        // Then the legend has the memory roof and one roof per distinct peak, with the catalog's figures
        Assert.Contains("memory 3.35 TB/s (HBM3)", texts);
        Assert.Contains("bf16/fp16 matrix 989.4 TFLOP/s", texts);
        Assert.Contains("fp8/int8 matrix 1.979 PFLOP/s", texts);
        Assert.Contains("tf32 matrix 494.7 TFLOP/s", texts);
        Assert.Contains("bf16/fp16 vector 133.8 TFLOP/s", texts);
        Assert.Contains("fp64 matrix, fp32 vector 66.9 TFLOP/s", texts);
        Assert.Contains("fp64 vector 33.5 TFLOP/s", texts);
        Assert.Equal(6, chart.Roofs.Count);

        // And every (dtype, unit) peak of the catalog entry appears in exactly one label with its value
        foreach (var (unit, peaks) in new[] { ("matrix", H100.MatrixPeaks), ("vector", H100.VectorPeaks) })
        {
            foreach (var (precision, rate) in peaks)
            {
                var name = precision.ToString().ToLowerInvariant();
                Assert.Single(chart.Roofs, r => r.Label.EndsWith(" " + rate.ToString(), StringComparison.Ordinal)
                    && r.Label.Contains(unit, StringComparison.Ordinal) && r.Label.Split(' ', '/', ',').Contains(name));
            }
        }

        // And only the roof the op is compared with is marked as used
        Assert.Equal(["bf16/fp16 matrix 989.4 TFLOP/s"], chart.Roofs.Where(r => r.UsedByOps).Select(r => r.Label));
        Assert.Equal(989.4e12, chart.Roofs.Single(r => r.UsedByOps).FlopsPerSecond, 1e6);
    }

    [Fact]
    public void Marker_area_is_proportional_to_time_within_a_readable_range()
    {
        // Given ops of 4 ms, 1 ms and 1 µs
        var chart = RooflineSvgRenderer.Render(Result(H100,
            Op("a", 50, 4_000_000, 100e12, RooflineBound.Memory),
            Op("b", 50, 1_000_000, 50e12, RooflineBound.Memory),
            Op("c", 0.5, 1_000, 1e9, RooflineBound.Latency)), 0, "");

        // Then the longest gets the largest diameter, a quarter of the time half of it, and a tiny op the minimum
        Assert.Equal([40f, 20f, RooflineSvgRenderer.MinMarkerDiameter], chart.Points.Select(p => p.MarkerDiameter));

        // And the SVG draws them at those sizes
        var radii = Markers(XDocument.Parse(chart.Svg)).Select(e => Math.Round(double.Parse(e.Attribute("rx")!.Value, CultureInfo.InvariantCulture), 1));
        Assert.Equal([20.0, 10.0, 2.5], radii.OrderDescending());
    }

    [Fact]
    public void Ops_without_an_intensity_or_time_are_counted_but_not_drawn()
    {
        var chart = RooflineSvgRenderer.Render(Result(H100,
            Op("drawn", 10, 1_000_000, 10e12, RooflineBound.Memory),
            Op("no bytes", null, 1_000_000, 0, RooflineBound.Memory),
            Op("no time", 10, 0, 0, RooflineBound.Memory)), 0, "");

        Assert.Equal(["drawn"], chart.Points.Select(p => p.Name));
        Assert.Equal(2, chart.SkippedOps);
        Assert.Single(Markers(XDocument.Parse(chart.Svg)));
        Assert.StartsWith("1 op (marker area ∝ device time); 2 without an intensity, time or FLOPs not shown", chart.Subtitle, StringComparison.Ordinal);
    }

    [Fact]
    public void Ops_above_the_roofline_stay_inside_the_plot()
    {
        // Given an op at 3x the bf16 matrix peak (Winograd-like), far above every roof
        var chart = RooflineSvgRenderer.Render(Result(H100, Op("conv", 1_000, 1_000_000, 3e15, RooflineBound.Compute, above: true)), 0, "");
        var svg = XDocument.Parse(chart.Svg);

        // Then its marker is drawn within the data area, and the subtitle counts it
        var marker = Assert.Single(Markers(svg));
        var area = DataArea(svg);
        var (cx, cy) = (Number(marker, "cx"), Number(marker, "cy"));
        Assert.InRange(cx, area.X, area.X + area.Width);
        Assert.InRange(cy, area.Y, area.Y + area.Height);
        Assert.Contains("1 above the roofline", chart.Subtitle, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_device_draws_points_only_and_says_how_to_supply_one()
    {
        var chart = RooflineSvgRenderer.Render(Result(null,
            Op("a", 10, 1_000_000, 10e12, RooflineBound.Unknown),
            Op("b", 1, 1_000_000, 1e12, RooflineBound.Unknown)), 3, "Mystery GPU 9000");
        var svg = XDocument.Parse(chart.Svg);

        Assert.Empty(chart.Roofs);
        Assert.Null(chart.MemoryRoofLabel);
        Assert.Equal(2, Markers(svg).Count);
        Assert.Equal("Roofline of rank 3 on Mystery GPU 9000", chart.Title);
        Assert.Contains("No ceilings: the device is not in the hardware catalog (choose one with --hardware NAME, or add it with --hardware-file FILE)", chart.Subtitle, StringComparison.Ordinal);
        Assert.DoesNotContain(Texts(svg), t => t.StartsWith("memory ", StringComparison.Ordinal) || t.Contains("matrix", StringComparison.Ordinal));
    }

    [Fact]
    public void Draws_the_rank_chosen_with_rank()
    {
        var path = Path.Combine(_folder, "rank1.svg");

        var (code, stdout, stderr) = CliRunner.Run("analyze", RepositoryFiles.Sample(), "--rank", "1", "--roofline-svg", path);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("Top kernels", stdout, StringComparison.Ordinal); // the report still printed
        Assert.Contains("Roofline of rank 1 on NVIDIA H100 SXM5 80GB", Texts(XDocument.Load(path)));
    }

    [Fact]
    public void Unwritable_path_exits_2_with_one_error_line_after_the_report()
    {
        var path = Path.Combine(_folder, "no-such-folder", "chart.svg");

        var (code, stdout, stderr) = CliRunner.Run("analyze", RepositoryFiles.Sample(), "--roofline-svg", path);

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"headroom: error: {path}: cannot write the roofline chart: ", line, StringComparison.Ordinal);
        Assert.Contains("Top kernels", stdout, StringComparison.Ordinal); // the report still printed
        Assert.False(File.Exists(path));
    }

    /// <summary>The ops' markers: ScottPlot writes each as an ellipse; they are translucent, the legend's swatches opaque.</summary>
    private static List<XElement> Markers(XDocument svg) =>
        [.. svg.Descendants(Svg + "ellipse").Where(e => e.Attribute("fill-opacity") is { } a
            && Math.Abs(double.Parse(a.Value, CultureInfo.InvariantCulture) - RooflineSvgRenderer.MarkerOpacity) < 1e-3)];

    private static List<string> Texts(XDocument svg) => [.. svg.Descendants(Svg + "text").Select(t => t.Value.Trim())];

    private static double Number(XElement e, string attribute) => double.Parse(e.Attribute(attribute)!.Value, CultureInfo.InvariantCulture);

    /// <summary>The data area: the clip rectangle of the memory roof, the first plottable drawn.</summary>
    private static (double X, double Y, double Width, double Height) DataArea(XDocument svg)
    {
        var rect = svg.Descendants(Svg + "clipPath").First().Element(Svg + "rect")!;
        return (Number(rect, "x"), Number(rect, "y"), Number(rect, "width"), Number(rect, "height"));
    }

    private static RooflineResult Result(DeviceSpec? device, params RooflineOp[] ops) =>
        new(device, ops, [], 0, 0, 0, 0, []);

    /// <summary>A bf16 matrix op with the given intensity, time and achieved rate (FLOPs and bytes follow from them).</summary>
    private static RooflineOp Op(string name, double? intensity, long timeNs, double flopsPerSecond, RooflineBound bound, bool above = false)
    {
        var flops = flopsPerSecond * timeNs / 1e9;
        var bytes = intensity is { } i ? flops / i : 0;
        return new RooflineOp(name, "[]", "[]", "bf16", CostUnit.Matrix, 1, 1, flops, bytes, timeNs, intensity, flopsPerSecond,
            timeNs == 0 ? 0 : bytes / (timeNs / 1e9), 989.4e12, "bf16 matrix", null, null, bound, above, "", [], "");
    }
}
