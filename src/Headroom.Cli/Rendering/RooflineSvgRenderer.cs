using System.Globalization;
using Headroom.Analysis.Roofline;
using Headroom.Hardware;
using ScottPlot;

namespace Headroom.Cli.Rendering;

/// <summary>One op on the chart: where it sits and how large its marker is drawn.</summary>
/// <param name="Name">Op name.</param>
/// <param name="DataType">Compute dtype.</param>
/// <param name="Intensity">FLOPs per byte (x).</param>
/// <param name="FlopsPerSecond">Achieved FLOP/s (y).</param>
/// <param name="TimeNs">Device time; the marker's area is proportional to it (within the size clamp).</param>
/// <param name="Bound">The analysis' verdict, which gives the marker its colour.</param>
/// <param name="AboveRoofline">The point lies above the roofline (drawn all the same).</param>
/// <param name="MarkerDiameter">Marker diameter in pixels.</param>
public sealed record RooflineChartPoint(string Name, string DataType, double Intensity, double FlopsPerSecond, long TimeNs,
    RooflineBound Bound, bool AboveRoofline, float MarkerDiameter);

/// <summary>One flat compute roof; dtypes and units with the same peak share it.</summary>
/// <param name="Label">Legend text, e.g. "bf16/fp16 matrix 989.4 TFLOP/s".</param>
/// <param name="FlopsPerSecond">The peak.</param>
/// <param name="UsedByOps">Some plotted op is compared with this peak (drawn thick; the others thin and faint).</param>
public sealed record RooflineChartRoof(string Label, double FlopsPerSecond, bool UsedByOps);

/// <summary>What <see cref="RooflineSvgRenderer"/> drew, and the SVG text.</summary>
/// <param name="Title">Chart title.</param>
/// <param name="Subtitle">What is plotted and what is not.</param>
/// <param name="Points">One per op with an intensity, a time and a rate above zero.</param>
/// <param name="SkippedOps">Ops of the result not plotted (no intensity, no time or no FLOPs).</param>
/// <param name="MemoryRoofLabel">Legend text of the memory roof, or null without a device.</param>
/// <param name="BandwidthBytesPerSecond">The memory roof's slope, or null without a device.</param>
/// <param name="Roofs">Compute roofs, highest first; empty without a device.</param>
/// <param name="Svg">The chart.</param>
public sealed record RooflineChart(string Title, string Subtitle, IReadOnlyList<RooflineChartPoint> Points, int SkippedOps,
    string? MemoryRoofLabel, double? BandwidthBytesPerSecond, IReadOnlyList<RooflineChartRoof> Roofs, string Svg);

/// <summary>
/// Draws a rank's <see cref="RooflineResult"/> as a log-log SVG chart with ScottPlot: the memory roof, one flat roof per
/// compute peak of the device, one marker per op (area ∝ device time, colour = bound). It computes no analysis: every
/// position is a value of the result or of its device.
/// </summary>
public static class RooflineSvgRenderer
{
    /// <summary>Chart size in pixels.</summary>
    public const int Width = 1100, Height = 700;

    /// <summary>Marker diameters (px): the op with the most time gets the largest; none is drawn smaller than the smallest.</summary>
    public const float MinMarkerDiameter = 5, MaxMarkerDiameter = 40;

    /// <summary>Fill opacity of the ops' markers (overlaps stay visible); the legend's swatches are opaque.</summary>
    public const double MarkerOpacity = 0.6;

    /// <summary>Longest line of the subtitle, in characters (it is centred above the plot).</summary>
    private const int SubtitleLineLength = 100;

    private static readonly (RooflineBound Bound, string Label, Color Color)[] BoundStyles =
    [
        (RooflineBound.Compute, "compute-bound op", Color.FromHex("#1f77b4")),
        (RooflineBound.Memory, "memory-bound op", Color.FromHex("#ff7f0e")),
        (RooflineBound.Latency, "latency-bound op (kernels < 5 µs)", Color.FromHex("#7f7f7f")),
        (RooflineBound.Communication, "communication op", Color.FromHex("#9467bd")),
        (RooflineBound.Unknown, "op (no device: bound unknown)", Color.FromHex("#17becf")),
    ];

    private static readonly Color[] RoofColors =
        [.. new[] { "#d62728", "#2ca02c", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#9467bd", "#1f77b4", "#ff7f0e", "#7f7f7f" }.Select(Color.FromHex)];

    /// <summary>
    /// Whether Skia finds any font. Without one the SVG is still written, but with no text at all (no title, ticks or
    /// legend). Skia's Linux build here reads fonts from /usr/share/fonts (Debian: <c>fonts-dejavu-core</c>); without any it
    /// lists one family with an empty name.
    /// </summary>
    public static bool FontsAvailable => SkiaSharp.SKFontManager.Default.GetFontFamilies().Any(f => f.Length > 0);

    /// <summary>Lays out and draws the roofline of one rank.</summary>
    /// <param name="roofline">The rank's roofline; its <see cref="RooflineResult.Device"/> gives the ceilings.</param>
    /// <param name="rank">The rank, for the title.</param>
    /// <param name="traceDevice">The device name the trace recorded, used in the title when the catalog has no match.</param>
    public static RooflineChart Render(RooflineResult roofline, int rank, string traceDevice)
    {
        ArgumentNullException.ThrowIfNull(roofline);
        var device = roofline.Device;
        var plotted = roofline.Ops.Where(o => o.Intensity is > 0 && o.TimeNs > 0 && o.AchievedFlopsPerSecond > 0).ToList();
        var maxTime = plotted.Count == 0 ? 1 : plotted.Max(o => o.TimeNs);
        var points = plotted.Select(o => new RooflineChartPoint(o.Name, o.DataType, o.Intensity!.Value, o.AchievedFlopsPerSecond, o.TimeNs,
            o.Bound, o.AboveRoofline, MarkerDiameter(o.TimeNs, maxTime))).ToList();
        var skipped = roofline.Ops.Count - points.Count;
        var roofs = device is null ? [] : Roofs(device, plotted);

        var deviceName = device?.Name ?? (string.IsNullOrEmpty(traceDevice) ? "an unknown device" : traceDevice);
        var title = $"Roofline of rank {rank} on {deviceName}";
        var subtitle = Subtitle(points, skipped, device, roofs);
        var memoryLabel = device is null ? null : $"memory {device.MemoryBandwidth}" + (device.MemoryType.Length > 0 ? $" ({device.MemoryType})" : "");
        double? bandwidth = device is null || device.MemoryBandwidth.BytesPerSecond <= 0 ? null : device.MemoryBandwidth.BytesPerSecond;

        var svg = Draw(title, subtitle, points, memoryLabel, bandwidth, roofs);
        return new RooflineChart(title, subtitle, points, skipped, memoryLabel, bandwidth, roofs, svg);
    }

    /// <summary>Marker diameter for an op: area proportional to its time, clamped to a readable range.</summary>
    public static float MarkerDiameter(long timeNs, long maxTimeNs) =>
        maxTimeNs <= 0 ? MinMarkerDiameter : Math.Clamp(MaxMarkerDiameter * (float)Math.Sqrt((double)timeNs / maxTimeNs), MinMarkerDiameter, MaxMarkerDiameter);

    private static List<RooflineChartRoof> Roofs(DeviceSpec device, IReadOnlyList<RooflineOp> plotted)
    {
        var peaks = new List<(Precision Precision, ComputeUnit Unit, double Rate)>();
        foreach (var unit in new[] { ComputeUnit.Matrix, ComputeUnit.Vector })
        {
            var table = unit == ComputeUnit.Matrix ? device.MatrixPeaks : device.VectorPeaks;
            peaks.AddRange(table.Where(p => p.Value.PerSecond > 0).OrderBy(p => p.Key).Select(p => (p.Key, unit, p.Value.PerSecond)));
        }

        // The analysis labels each op's peak "DTYPE UNIT", with any fallback after it in parentheses.
        bool Used(Precision p, ComputeUnit u) =>
            plotted.Any(o => o.Peak.StartsWith($"{Name(p)} {Name(u)}", StringComparison.Ordinal));

        return [.. peaks.GroupBy(p => p.Rate).OrderByDescending(g => g.Key).Select(g =>
        {
            var parts = g.GroupBy(p => p.Unit).Select(u => $"{string.Join('/', u.Select(p => Name(p.Precision)))} {Name(u.Key)}");
            return new RooflineChartRoof($"{string.Join(", ", parts)} {new FlopRate(g.Key)}", g.Key, g.Any(p => Used(p.Precision, p.Unit)));
        })];
    }

    private static string Name(Precision p) => p.ToString().ToLowerInvariant();

    private static string Name(ComputeUnit u) => u.ToString().ToLowerInvariant();

    private static string Subtitle(IReadOnlyList<RooflineChartPoint> points, int skipped, DeviceSpec? device, IReadOnlyList<RooflineChartRoof> roofs)
    {
        var text = points.Count == 0
            ? "No op with a FLOP and byte estimate to plot (see the cost coverage in the report)"
            : $"{points.Count} op{(points.Count == 1 ? "" : "s")} (marker area ∝ device time)";
        if (skipped > 0)
        {
            text += $"; {skipped} without an intensity, time or FLOPs not shown";
        }

        var above = points.Count(p => p.AboveRoofline);
        if (above > 0)
        {
            text += $"; {above} above the roofline";
        }

        return device is null
            ? text + ". No ceilings: the device is not in the hardware catalog (choose one with --hardware NAME, or add it with --hardware-file FILE)."
            : text + (roofs.Any(r => !r.UsedByOps) ? ". Thin roofs: peaks no plotted op uses." : ".");
    }

    private static string Draw(string title, string subtitle, IReadOnlyList<RooflineChartPoint> points, string? memoryLabel, double? bandwidth,
        IReadOnlyList<RooflineChartRoof> roofs)
    {
        var plt = new Plot();
        plt.Font.Set("DejaVu Sans");

        // Log-log: everything is drawn at log10 of its value, and the ticks label the decades.
        var xs = points.Select(p => p.Intensity).ToList();
        var ys = points.Select(p => p.FlopsPerSecond).Concat(roofs.Select(r => r.FlopsPerSecond)).ToList();
        if (bandwidth is { } bw)
        {
            xs.AddRange(roofs.Select(r => r.FlopsPerSecond / bw));
        }

        var xMin = xs.Count == 0 ? -1 : Math.Floor(Math.Log10(xs.Min()) - 0.15);
        var xMax = xs.Count == 0 ? 3 : Math.Ceiling(Math.Log10(xs.Max()) + 0.5); // room for the flat roofs right of their ridge points
        var yMin = ys.Count == 0 ? 9 : Math.Floor(Math.Log10(ys.Min()) - 0.15);
        var yMax = ys.Count == 0 ? 15 : Math.Ceiling(Math.Log10(ys.Max()) + 0.15);

        if (bandwidth is { } slope && roofs.Count > 0)
        {
            var top = roofs[0].FlopsPerSecond;
            var memory = plt.Add.Line(xMin, Math.Log10(slope * Math.Pow(10, xMin)), Math.Log10(top / slope), Math.Log10(top));
            memory.LineWidth = 2.5f;
            memory.LineColor = Colors.Black;
            memory.LegendText = memoryLabel ?? "memory";
        }

        for (var i = 0; i < roofs.Count; i++)
        {
            var roof = roofs[i];
            var start = bandwidth is { } b ? Math.Log10(roof.FlopsPerSecond / b) : xMin;
            var y = Math.Log10(roof.FlopsPerSecond);
            var line = plt.Add.Line(start, y, xMax, y);
            // Skia's SVG canvas cannot write dash patterns (it prints "Unsupported path effect" to stderr): unused roofs are thin and faint instead.
            line.LineColor = RoofColors[i % RoofColors.Length].WithAlpha(roof.UsedByOps ? 1 : 0.45);
            line.LineWidth = roof.UsedByOps ? 2.5f : 1;
            line.LegendText = roof.Label;
        }

        // Largest first, so small markers stay visible on top of large ones.
        foreach (var p in points.OrderByDescending(p => p.MarkerDiameter))
        {
            plt.Add.Marker(Math.Log10(p.Intensity), Math.Log10(p.FlopsPerSecond), MarkerShape.FilledCircle, p.MarkerDiameter, Style(p.Bound).WithAlpha(MarkerOpacity));
        }

        foreach (var (bound, label, color) in BoundStyles.Where(s => points.Any(p => p.Bound == s.Bound)))
        {
            plt.Legend.ManualItems.Add(new LegendItem
            {
                LabelText = label,
                MarkerShape = MarkerShape.FilledCircle,
                MarkerSize = 10,
                MarkerFillColor = color, // opaque: only the ops' markers are translucent
            });
        }

        plt.Axes.SetLimits(xMin, xMax, yMin, yMax);
        plt.Axes.Bottom.TickGenerator = LogTicks(Intensity);
        plt.Axes.Left.TickGenerator = LogTicks(Rate);
        plt.XLabel("Arithmetic intensity (FLOP/byte)");
        plt.YLabel("Achieved FLOP/s");
        plt.Title(title + "\n" + Wrap(subtitle, SubtitleLineLength));
        plt.ShowLegend(Edge.Right);
        return plt.GetSvgXml(Width, Height);
    }

    private static string Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line);
                line = word;
            }
            else
            {
                line = line.Length == 0 ? word : line + " " + word;
            }
        }

        lines.Add(line);
        return string.Join('\n', lines);
    }

    private static Color Style(RooflineBound bound) => BoundStyles.First(s => s.Bound == bound).Color;

    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks(Func<double, string> format) => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = format,
    };

    private static string Intensity(double log10) => log10 switch
    {
        >= 3 => Si(log10, ""),
        >= 0 => Math.Pow(10, Math.Round(log10)).ToString("0", CultureInfo.InvariantCulture),
        _ => Math.Pow(10, Math.Round(log10)).ToString("0.####", CultureInfo.InvariantCulture),
    };

    private static string Rate(double log10) => Si(log10, "FLOP/s");

    /// <summary>10^k with an SI prefix: "100 G", "1 TFLOP/s" style ticks.</summary>
    private static string Si(double log10, string unit)
    {
        var k = (int)Math.Round(log10);
        string[] prefixes = ["", "k", "M", "G", "T", "P", "E"];
        var group = Math.Clamp((int)Math.Floor(k / 3.0), 0, prefixes.Length - 1);
        var mantissa = Math.Pow(10, k - (3 * group));
        return string.Create(CultureInfo.InvariantCulture, $"{mantissa:0.###} {prefixes[group]}{unit}").TrimEnd();
    }
}
