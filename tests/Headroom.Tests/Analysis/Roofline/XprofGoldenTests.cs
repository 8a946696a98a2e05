using System.IO.Compression;
using System.Text.Json;
using Headroom.Analysis.Roofline;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Analysis.Roofline;

/// <summary>
/// XProf's own roofline_model output for a TPU training run (../shared/data/golden/xprof-tpu-training; the trace itself
/// is not available) fixes its definitions; Headroom's formulas reproduce every row. XProf writes bandwidths in GiB/s
/// (peak_hbm_bw 1287.45 = 1382.4 GB/s) but computes its ridge point and intensities per decimal byte
/// (hbm_ridge_point 168.838 = 233,400 GFLOP/s ÷ 1382.4 GB/s); Headroom works in decimal bytes throughout, which is the
/// same arithmetic.
/// </summary>
public sealed class XprofGoldenTests
{
    private const double GiB = 1024d * 1024 * 1024;

    [Fact]
    public void Roofline_efficiency_and_bound_match_XProf_on_every_row()
    {
        // Given XProf's roofline_model table and its device peaks
        using var gz = new GZipStream(File.OpenRead(SharedData.Require("golden/xprof-tpu-training/roofline_model.json.gz")), CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gz);
        var table = doc.RootElement[0];
        var p = table.GetProperty("p");
        var peak = double.Parse(p.GetProperty("peak_flop_rate").GetString()!, System.Globalization.CultureInfo.InvariantCulture) * 1e9;
        var bandwidth = double.Parse(p.GetProperty("peak_hbm_bw").GetString()!, System.Globalization.CultureInfo.InvariantCulture) * GiB;
        var ridge = double.Parse(p.GetProperty("hbm_ridge_point").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(ridge, peak / bandwidth, 3);
        var cols = table.GetProperty("cols").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        var rows = table.GetProperty("rows").EnumerateArray()
            .Select(r => cols.Zip(r.GetProperty("c").EnumerateArray()).ToDictionary(x => x.First, x => x.Second.GetProperty("v")))
            .ToList();
        Assert.Equal(728, rows.Count);

        var bounds = new Dictionary<string, int>();
        foreach (var row in rows)
        {
            // When each row's measured rates are placed with Headroom's formulas
            var flopRate = row["measured_flop_rate"].GetDouble() * 1e9;
            var byteRate = row["hbm_bw"].GetDouble() * GiB;
            var intensity = byteRate > 0 ? flopRate / byteRate : (double?)null;
            var efficiency = RooflineAnalysis.Efficiency(flopRate, byteRate, peak, bandwidth);
            var bound = flopRate == 0 && byteRate == 0 ? RooflineBound.Unknown : RooflineAnalysis.Bound(intensity, peak, bandwidth);

            // Then efficiency and bound are XProf's
            var name = row["operation"].GetString();
            Assert.True(Math.Abs(efficiency - row["roofline_efficiency"].GetDouble()) <= 1e-9 * Math.Max(1, efficiency), $"{name}: {efficiency} vs {row["roofline_efficiency"]}");
            var expected = row["bound_by"].GetString() switch
            {
                "Compute" => RooflineBound.Compute,
                "HBM" => RooflineBound.Memory,
                _ => RooflineBound.Unknown,
            };
            Assert.True(expected == bound, $"{name}: bound {bound}, XProf {row["bound_by"]}");
            if (intensity is { } i && row["hbm_operational_intensity"].GetDouble() > 0)
            {
                // XProf's intensity: FLOP/s ÷ (its GiB/s × 2^30) bytes/s — the same number as ours.
                Assert.Equal(row["hbm_operational_intensity"].GetDouble(), i, 6);
            }

            bounds[row["bound_by"].GetString()!] = bounds.GetValueOrDefault(row["bound_by"].GetString()!) + 1;
        }

        // Every kind of row was exercised
        Assert.Equal(530, bounds["HBM"]);
        Assert.Equal(92, bounds["Compute"]);
        Assert.Equal(106, bounds["Unknown"]);
    }

    [Fact]
    public void An_op_that_moves_nothing_and_computes_nothing_has_no_bound()
    {
        var op = RooflineAnalysis.Place("copy-done", "", "", "fp32", Headroom.Costs.ComputeUnit.Vector, 1, 1, 0, 0, 5_000_000, 918e12, "bf16 matrix", 1.638e12, [], "");
        Assert.Equal(RooflineBound.Unknown, op.Bound);
        Assert.Equal(0, op.Efficiency);
    }

    [Fact]
    public void FLOP_rate_and_intensity_are_XProfs_on_every_hlo_stats_row()
    {
        // Given XProf's hlo_stats: per HLO op its self time (µs), FLOP rate (GFLOP/s), memory bandwidth (GiB/s) and intensity
        using var gz = new GZipStream(File.OpenRead(SharedData.Require("golden/xprof-tpu-training/hlo_stats.json.gz")), CompressionMode.Decompress);
        using var doc = JsonDocument.Parse(gz);
        var cols = doc.RootElement.GetProperty("cols").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => cols.Zip(r.GetProperty("c").EnumerateArray()).ToDictionary(x => x.First, x => x.Second.GetProperty("v")))
            .ToList();
        Assert.Equal(357, rows.Count);

        var compared = 0;
        foreach (var row in rows.Where(r => r["total_self_time"].GetDouble() > 0 && r["measured_memory_bw"].GetDouble() > 0))
        {
            // When the op's FLOPs and bytes over its self time are placed as Headroom places an op
            var ns = Math.Max(1, (long)Math.Round(row["total_self_time"].GetDouble() * 1000));
            var seconds = ns / 1e9;
            var flops = row["model_flop_rate"].GetDouble() * 1e9 * seconds;
            var bytes = row["measured_memory_bw"].GetDouble() * GiB * seconds;
            var op = RooflineAnalysis.Place(row["hlo_op_name"].GetString()!, "", "", "bf16", Headroom.Costs.ComputeUnit.Matrix, 1, 1, flops, bytes,
                ns, null, "", null, [], "");

            // Then FLOP rate = FLOPs / self time and intensity = FLOPs / bytes are XProf's numbers
            Assert.Equal(row["model_flop_rate"].GetDouble() * 1e9, op.AchievedFlopsPerSecond, (row["model_flop_rate"].GetDouble() * 1e9 * 1e-9) + 1e-3);
            if (row["operational_intensity"].GetDouble() > 0)
            {
                Assert.Equal(row["operational_intensity"].GetDouble(), op.Intensity!.Value, 6);
                compared++;
            }
        }

        Assert.Equal(130, compared);
    }

    private static List<Dictionary<string, JsonElement>> Rows(JsonElement table)
    {
        var cols = table.GetProperty("cols").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToList();
        return [.. table.GetProperty("rows").EnumerateArray()
            .Select(r => cols.Zip(r.GetProperty("c").EnumerateArray()).ToDictionary(x => x.First, x => x.Second.GetProperty("v")))];
    }

    private static JsonDocument Golden(string name)
    {
        using var gz = new GZipStream(File.OpenRead(SharedData.Require($"golden/xprof-tpu-training/{name}")), CompressionMode.Decompress);
        return JsonDocument.Parse(gz);
    }

    [Fact]
    public void Framework_ops_sum_their_XLA_ops_as_XProfs_framework_op_stats_does()
    {
        // Given XProf's hlo_stats (one row per HLO op, with the tf_op it was lowered from) and its framework_op_stats of the
        // same run, and the device peaks of its roofline_model
        using var hlo = Golden("hlo_stats.json.gz");
        using var framework = Golden("framework_op_stats.json.gz");
        using var roofline = Golden("roofline_model.json.gz");
        var p = roofline.RootElement[0].GetProperty("p");
        var device = new Headroom.Hardware.DeviceSpec
        {
            Id = "xprof-golden",
            Name = "TPU of the golden run",
            MatrixPeaks = new Dictionary<Headroom.Hardware.Precision, Headroom.Hardware.FlopRate>
            {
                [Headroom.Hardware.Precision.Bf16] = new(double.Parse(p.GetProperty("peak_flop_rate").GetString()!, System.Globalization.CultureInfo.InvariantCulture) * 1e9),
            },
            MemoryBandwidth = new(double.Parse(p.GetProperty("peak_hbm_bw").GetString()!, System.Globalization.CultureInfo.InvariantCulture) * GiB),
        };

        // When the HLO ops that name a tf_op are summed into framework ops by Headroom
        var samples = Rows(hlo.RootElement).Where(r => r["tf_op_name"].GetString()!.Length > 0).Select(r =>
        {
            var ns = (long)Math.Round(r["total_self_time"].GetDouble() * 1000);
            var seconds = ns / 1e9; // FLOPs and bytes over the time as Headroom holds it (whole ns), so the rates are XProf's
            return new FrameworkOpSample(r["tf_op_name"].GetString()!, r["hlo_op_name"].GetString()!, (long)r["occurrences"].GetDouble(),
                ns, r["model_flop_rate"].GetDouble() * 1e9 * seconds,
                r["model_flop_rate"].GetDouble() * 1e9 * seconds, r["measured_memory_bw"].GetDouble() * GiB * seconds, "bf16", true);
        }).ToList();
        var ours = FrameworkOpAnalysis.Aggregate(samples, device, int.MaxValue).Ops.ToDictionary(o => o.Name);

        // Then every device framework op of XProf's that has a tf_op is one of ours, with its type, occurrences (the most
        // executions of any one of its HLO ops, not their sum), self time, FLOP rate, bandwidth, intensity and bound
        var compared = 0;
        var summedWouldDiffer = 0;
        foreach (var row in Rows(framework.RootElement[0]).Where(r => r["host_or_device"].GetString() == "Device" && ours.ContainsKey(r["operation"].GetString()!)))
        {
            var name = row["operation"].GetString()!;
            var op = ours[name];
            Assert.True(row["type"].GetString() == op.Type, $"{name}: type {op.Type}, XProf {row["type"]}");
            Assert.Equal(row["occurrences"].GetDouble(), op.Occurrences);
            summedWouldDiffer += samples.Where(s => FrameworkOpAnalysis.Parse(s.FrameworkOp).Name == name).Sum(s => s.Executions) != op.Occurrences ? 1 : 0;
            Assert.Equal(row["total_self_time"].GetDouble() * 1000, op.TimeNs, (row["total_self_time"].GetDouble() * 1e-3) + op.XlaOps); // µs with ps rounding in XProf
            // Rates agree to within what holding each HLO op's time in whole ns moves them (up to ½ ns per op: relatively
            // most for the shortest op's FLOPs, plus the sum of times)
            var shortest = samples.Where(s => FrameworkOpAnalysis.Parse(s.FrameworkOp).Name == name).Min(s => s.TimeNs);
            var rounding = (0.5 / Math.Max(1, shortest)) + (0.5 * op.XlaOps / op.TimeNs) + 1e-9;
            var flopRate = row["model_flop_rate"].GetDouble() * 1e9;
            Assert.Equal(flopRate, op.FlopsPerSecond!.Value, (flopRate * rounding) + 1e-3);
            var byteRate = row["measured_memory_bw"].GetDouble() * GiB;
            Assert.Equal(byteRate, op.BytesPerSecond!.Value, (byteRate * rounding) + 1e-3);
            if (row["operational_intensity"].GetDouble() > 0)
            {
                Assert.Equal(row["operational_intensity"].GetDouble(), op.Intensity!.Value, row["operational_intensity"].GetDouble() * 2 * rounding);
            }

            var expected = row["bound_by"].GetString() switch
            {
                "Compute" => RooflineBound.Compute,
                "HBM" => RooflineBound.Memory,
                _ => RooflineBound.Unknown,
            };
            Assert.True(expected == op.Bound, $"{name}: bound {op.Bound}, XProf {row["bound_by"]}");
            compared++;
        }

        // XProf lists 116 device framework ops with a tf_op (the rest are HLO ops without one, listed under their own
        // names: copies, collectives, broadcasts; Headroom counts their time as unattributed), and they are all ours
        Assert.Equal(116, compared);
        Assert.Equal(116, ours.Count);
        Assert.True(summedWouldDiffer > 10, "occurrences are a maximum, which the golden rows tell apart from a sum");
    }

    [Fact]
    public void FLOP_utilisation_of_every_op_profile_node_is_XProfs()
    {
        // Given XProf's op_profile: programs, categories and ops with their FLOPs and time (ps). Its "uncappedFlops" is the
        // node's FLOP utilisation times its share of the profile's time (so that parents are sums of their children, and
        // the UI divides the share back out: op_profile_builder.cc); the peak is its roofline_model's
        using var profile = Golden("op_profile.json.gz");
        using var roofline = Golden("roofline_model.json.gz");
        var peak = double.Parse(roofline.RootElement[0].GetProperty("p").GetProperty("peak_flop_rate").GetString()!, System.Globalization.CultureInfo.InvariantCulture) * 1e9;

        // When each node's FLOP rate (FLOPs over its own time) is compared with the peak as Headroom compares an op's
        var compared = 0;
        void Check(JsonElement node, double totalPs)
        {
            var m = node.GetProperty("metrics");
            var time = m.TryGetProperty("rawTime", out var t) ? t.GetDouble() : 0;
            var flops = m.TryGetProperty("bf16Flops", out var f) ? f.GetDouble() : 0;
            if (time > 0 && flops > 0)
            {
                var ours = RooflineAnalysis.Efficiency(flops / (time / 1e12), 0, peak, 1);

                // Then it is XProf's utilisation of that node
                var xprof = m.GetProperty("uncappedFlops").GetDouble() / (time / totalPs);
                Assert.True(Math.Abs(xprof - ours) <= 1e-6 * ours, $"{node.GetProperty("name")}: {ours} vs XProf {xprof}");
                compared++;
            }

            if (node.TryGetProperty("children", out var children))
            {
                foreach (var child in children.EnumerateArray())
                {
                    Check(child, totalPs);
                }
            }
        }

        foreach (var tree in new[] { "byProgram", "byProgramExcludeIdle" })
        {
            var root = profile.RootElement.GetProperty(tree);
            Check(root, root.GetProperty("metrics").GetProperty("rawTime").GetDouble());
        }

        Assert.Equal(312, compared); // every node that computed something, in both trees
    }
}
