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
}
