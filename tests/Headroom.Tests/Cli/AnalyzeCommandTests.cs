using System.Text.Json;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Cli;

/// <summary>Specification of <c>headroom analyze</c> as a user sees it: arguments, JSON contract, exit codes.</summary>
public sealed class AnalyzeCommandTests
{
    private static JsonElement Json(string stdout) => JsonDocument.Parse(stdout).RootElement;

    [Fact]
    public void Json_output_keeps_the_documented_contract()
    {
        // Given a real two-stream DDP trace with three profiler steps
        var trace = SharedData.Require("traces/kineto/hta-a100-ddp-nccl-rank0of2.json.gz");

        // When it is analysed as JSON
        var (code, stdout, stderr) = CliRunner.Run("analyze", trace, "--json");

        // Then every contract field is present with checked values
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        var root = Json(stdout);
        Assert.Equal(3, root.GetProperty("schema_version").GetInt32());
        var rank = Assert.Single(root.GetProperty("ranks").EnumerateArray());
        Assert.Equal(0, rank.GetProperty("framework_ops").GetProperty("count").GetInt32()); // a Kineto trace names no tf_op
        Assert.Equal(0, rank.GetProperty("rank").GetInt32());
        Assert.Equal("NVIDIA A100-PG509-200", rank.GetProperty("device").GetString());
        var steps = rank.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["ProfilerStep#4", "ProfilerStep#5", "ProfilerStep#6"], steps.Select(s => s.GetProperty("name").GetString()));
        Assert.All(steps, s => Assert.True(s.GetProperty("dur_ns").GetInt64() > 0 && s.GetProperty("start_ns").GetInt64() > 0));

        var b = rank.GetProperty("breakdown");
        long F(string name) => b.GetProperty(name).GetInt64();
        Assert.Equal(F("window_ns"), F("computation_ns") + F("communication_ns") + F("memcpy_ns") + F("memset_ns") + F("other_ns") + F("idle_ns"));
        Assert.True(F("communication_ns") > 0, "this DDP trace has exposed all-reduce time");
        Assert.True(F("communication_total_ns") >= F("communication_ns"));
        var kernels = b.GetProperty("kernels").EnumerateArray().ToList();
        Assert.NotEmpty(kernels);
        Assert.All(kernels, k =>
        {
            Assert.False(string.IsNullOrEmpty(k.GetProperty("name").GetString()));
            Assert.True(k.GetProperty("count").GetInt64() > 0);
            Assert.True(k.GetProperty("total_ns").GetInt64() >= 0);
            Assert.Contains(k.GetProperty("category").GetString(), new[] { "gemm", "attention", "convolution", "normalization", "elementwise", "reduction", "communication", "memory", "other" });
        });
        Assert.Equal("communication", kernels[0].GetProperty("category").GetString());
        Assert.True(root.GetProperty("diagnostics").ValueKind == JsonValueKind.Array);
    }

    [Fact]
    public void Json_has_the_roofline_mfu_and_headroom_sections_the_issue_names()
    {
        // Given the H100 BERT inference trace (shapes recorded, one step)
        var trace = SharedData.Require("traces/kineto/tracelens-h100-bert-small-infer.json.gz");

        // When it is analysed as JSON
        var (code, stdout, _) = CliRunner.Run("analyze", trace, "--json");

        // Then the roofline ops carry the named fields, MFU is per step, and headroom items are ranked with their fix
        Assert.Equal(0, code);
        var rank = Assert.Single(Json(stdout).GetProperty("ranks").EnumerateArray());
        Assert.Equal("h100-sxm", rank.GetProperty("hardware").GetProperty("id").GetString());
        var roofline = rank.GetProperty("roofline");
        var op = roofline.GetProperty("ops").EnumerateArray().First();
        foreach (var field in new[] { "name", "flops", "bytes", "time_ns", "exposed_ns", "intensity", "achieved_flops_per_s", "ceiling_flops_per_s", "efficiency", "bound" })
        {
            Assert.True(op.TryGetProperty(field, out _), field);
        }

        Assert.Equal(op.GetProperty("flops").GetDouble() / op.GetProperty("bytes").GetDouble(), op.GetProperty("intensity").GetDouble(), 4);
        Assert.Equal(1.0, roofline.GetProperty("cost_coverage_where_shapes_recorded").GetDouble());
        Assert.Contains(roofline.GetProperty("groups").EnumerateArray(), g => g.GetProperty("category").GetString() == "gemm");

        var mfu = rank.GetProperty("mfu");
        var step = Assert.Single(mfu.GetProperty("steps").EnumerateArray());
        Assert.Equal(6, step.GetProperty("step").GetInt64());
        Assert.Equal(0.002121, step.GetProperty("mfu").GetDouble(), 6); // worked by hand in MfuTests
        Assert.Equal(mfu.GetProperty("mfu").GetDouble(), step.GetProperty("mfu").GetDouble());

        var headroom = rank.GetProperty("headroom");
        Assert.False(headroom.GetProperty("per_window").GetBoolean());
        var items = headroom.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(items);
        Assert.Equal("device_idle", items[0].GetProperty("kind").GetString());
        Assert.Equal("host", items[0].GetProperty("bound").GetString());
        var savings = items.Select(i => i.GetProperty("saving_ns_per_step").GetInt64()).ToList();
        Assert.Equal(savings.OrderDescending(), savings);
        Assert.All(items, i => Assert.False(string.IsNullOrEmpty(i.GetProperty("title").GetString()) || string.IsNullOrEmpty(i.GetProperty("suggestion").GetString())));
        Assert.Equal(0, Json(stdout).GetProperty("job_headroom").GetProperty("items").GetArrayLength());
    }

    [Fact]
    public void Winograd_convolutions_above_the_fp32_peak_are_reported_as_model_flops_above_hardware_flops()
    {
        // Given the V100 ResNet-50 training trace, whose 3×3 convolutions run cuDNN Winograd kernels
        var trace = SharedData.Require("traces/kineto/kineto-v100-resnet50-train-w0.json.gz");

        // When it is analysed as JSON
        var (code, stdout, _) = CliRunner.Run("analyze", trace, "--json");

        // Then the points above the roofline are kept (not clipped) and flagged as model FLOPs above hardware FLOPs
        Assert.Equal(0, code);
        var ops = Json(stdout).GetProperty("ranks")[0].GetProperty("roofline").GetProperty("ops").EnumerateArray().ToList();
        var winograd = ops.Where(o => o.GetProperty("model_flops_above_hardware_flops").GetBoolean()).ToList();
        Assert.NotEmpty(winograd);
        Assert.Contains(winograd, o => o.GetProperty("efficiency").GetDouble() > 1 && o.GetProperty("above_roofline").GetBoolean());
        Assert.All(winograd, o => Assert.Contains("winograd", o.GetProperty("note").GetString(), StringComparison.OrdinalIgnoreCase));
        Assert.All(ops.Where(o => o.GetProperty("above_roofline").GetBoolean()), o => Assert.NotEqual("", o.GetProperty("note").GetString()));
    }

    [Fact]
    public void Json_has_the_distributed_sections_for_a_multi_rank_job()
    {
        // Given the 8 ranks of one real DLRM job
        var folder = SharedData.Require("traces/kineto/param-v100-dlrm-8rank");
        var (code, stdout, _) = CliRunner.Run("analyze", folder, "--json");
        Assert.Equal(0, code);
        var root = Json(stdout);

        // Then each rank has overlap, idle and launch sections
        var ranks = root.GetProperty("ranks").EnumerateArray().ToList();
        Assert.Equal(8, ranks.Count);
        Assert.All(ranks, r =>
        {
            Assert.True(r.GetProperty("overlap").GetProperty("communication_total_ns").GetInt64() > 0);
            var idle = r.GetProperty("idle");
            Assert.Equal(idle.GetProperty("total_idle_ns").GetInt64(),
                idle.GetProperty("host_wait_ns").GetInt64() + idle.GetProperty("kernel_wait_ns").GetInt64() + idle.GetProperty("other_ns").GetInt64());
            Assert.True(r.GetProperty("launch").GetProperty("count").GetInt32() > 0);
        });

        // And the job has its collectives matched on all 8 ranks, and rank 7 named the straggler
        var collectives = root.GetProperty("collectives");
        Assert.Equal(8, collectives.GetProperty("instances_total").GetInt32());
        Assert.Equal(8, collectives.GetProperty("clock").GetArrayLength());
        Assert.Equal(0, collectives.GetProperty("missing_ranks").GetArrayLength());
        Assert.Equal([7], root.GetProperty("stragglers").GetProperty("named").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(root.GetProperty("stragglers").GetProperty("reliable").GetBoolean());
        Assert.DoesNotContain("NaN", stdout);
    }

    [Fact]
    public void Flags_cross_rank_results_as_unreliable_when_ranks_do_not_share_their_collectives()
    {
        // Given two ranks sampled separately from a 128-rank job (each lost different collectives)
        var folder = SharedData.Require("traces/kineto/hta-128rank-sampled");
        var (code, stdout, _) = CliRunner.Run("analyze", folder, "--json");
        Assert.Equal(0, code);
        var root = Json(stdout);
        Assert.False(root.GetProperty("collectives").GetProperty("reliable").GetBoolean());
        Assert.False(root.GetProperty("stragglers").GetProperty("reliable").GetBoolean());
        Assert.Contains(root.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString() == "clock-alignment-noisy");
    }

    [Fact]
    public void Json_has_no_cross_rank_sections_for_one_rank()
    {
        var trace = SharedData.Require("traces/kineto/hta-a100-ddp-nccl-rank0of2.json.gz");
        var root = Json(CliRunner.Run("analyze", trace, "--json", "--hta-compatible").Stdout);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("collectives").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("stragglers").ValueKind);

        // HTA's comm/comp overlap for this rank is 14.31%
        Assert.Equal(14.31, root.GetProperty("ranks")[0].GetProperty("overlap").GetProperty("communication_overlap_pct").GetDouble(), 2);
    }

    [Fact]
    public void Diagnostics_in_json_carry_code_count_and_message()
    {
        var trace = SharedData.Require("traces/kineto/hta-cpu-only-rank34.json.gz");
        var (code, stdout, _) = CliRunner.Run("analyze", trace, "--json");
        Assert.Equal(0, code);
        var diagnostics = Json(stdout).GetProperty("diagnostics").EnumerateArray().ToList();
        var noGpu = Assert.Single(diagnostics, d => d.GetProperty("code").GetString() == "no-gpu-events");
        Assert.Equal(1, noGpu.GetProperty("count").GetInt64());
        Assert.False(string.IsNullOrEmpty(noGpu.GetProperty("message").GetString()));
        Assert.EndsWith("hta-cpu-only-rank34.json.gz", noGpu.GetProperty("file").GetString());
    }

    [Fact]
    public void Steps_option_limits_the_analysis_to_the_chosen_steps()
    {
        var trace = SharedData.Require("traces/kineto/hta-a100-ddp-nccl-rank0of2.json.gz");
        var all = Json(CliRunner.Run("analyze", trace, "--json").Stdout).GetProperty("ranks")[0];
        var (code, stdout, _) = CliRunner.Run("analyze", trace, "--json", "--steps", "5..6");
        Assert.Equal(0, code);
        var rank = Json(stdout).GetProperty("ranks")[0];
        var steps = rank.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal([5L, 6L], steps.Select(s => s.GetProperty("number").GetInt64()));

        // The analysed window is exactly the two steps' device windows, back to back.
        var window = rank.GetProperty("breakdown").GetProperty("window_ns").GetInt64();
        Assert.Equal(steps.Sum(s => s.GetProperty("window_dur_ns").GetInt64()), window);
        Assert.True(window < all.GetProperty("breakdown").GetProperty("window_ns").GetInt64());
    }

    [Fact]
    public void Rank_option_selects_one_rank_of_a_job()
    {
        var folder = SharedData.Require("traces/kineto/param-v100-dlrm-8rank");
        var (code, stdout, _) = CliRunner.Run("analyze", folder, "--json", "--rank", "3");
        Assert.Equal(0, code);
        var ranks = Json(stdout).GetProperty("ranks").EnumerateArray().ToList();
        Assert.Equal(3, Assert.Single(ranks).GetProperty("rank").GetInt32());
        Assert.Equal(8, Json(stdout).GetProperty("inputs").GetArrayLength());
    }

    [Fact]
    public void Unknown_rank_is_one_error_line_and_exit_code_2()
    {
        var folder = SharedData.Require("traces/kineto/param-v100-dlrm-8rank");
        var (code, stdout, stderr) = CliRunner.Run("analyze", folder, "--rank", "99");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("rank 99", line);
        Assert.Contains("[rank-not-found]", line);
    }

    [Fact]
    public void Hta_compatible_mode_reports_htas_temporal_breakdown()
    {
        // HTA 0.6.1 on this trace: idle 207, compute 49, non-compute 7, kernel time 263 (µs)
        var trace = SharedData.Require("traces/kineto/hta-a100-event-sync.json.gz");
        var (code, stdout, _) = CliRunner.Run("analyze", trace, "--json", "--hta-compatible");
        Assert.Equal(0, code);
        var root = Json(stdout);
        Assert.Equal("hta", root.GetProperty("conventions").GetString());
        var t = root.GetProperty("ranks")[0].GetProperty("hta_temporal");
        Assert.Equal(207_000, t.GetProperty("idle_ns").GetInt64());
        Assert.Equal(49_000, t.GetProperty("compute_ns").GetInt64());
        Assert.Equal(7_000, t.GetProperty("non_compute_ns").GetInt64());
        Assert.Equal(263_000, t.GetProperty("kernel_time_ns").GetInt64());
    }

    [Theory]
    [InlineData("", "file-empty")]
    [InlineData("this is not json at all", "unknown-format")]
    [InlineData("{\"a\": 1}", "not-a-trace")]
    [InlineData("{\"traceEvents\": [ {\"ph\": \"X\", \"ts\": 1, \"du", null)]
    public void Bad_files_give_one_line_naming_the_file_and_no_stack_trace(string content, string? code)
    {
        var path = Path.Combine(Path.GetTempPath(), $"headroom-bad-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, content);
        try
        {
            var (exit, stdout, stderr) = CliRunner.Run("analyze", path);
            if (code is null)
            {
                // A trace cut off mid-write is read leniently, with a named diagnostic.
                Assert.Equal(0, exit);
                Assert.Contains("trace-truncated", stdout);
                return;
            }

            Assert.Equal(2, exit);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(path, line);
            Assert.Contains($"[{code}]", line);
            Assert.DoesNotContain("   at ", stderr);
            Assert.Equal("", stdout);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_path_is_exit_code_2_naming_it()
    {
        var (exit, _, stderr) = CliRunner.Run("analyze", "/no/such/trace.json.gz");
        Assert.Equal(2, exit);
        Assert.Contains("/no/such/trace.json.gz", stderr);
        Assert.Contains("[file-unreadable]", stderr);
    }

    [Theory]
    [InlineData("--steps", "abc")]
    [InlineData("--steps", "7..3")]
    [InlineData("--top", "0")]
    [InlineData("--bogus", "1")]
    public void Bad_arguments_are_exit_code_2(string option, string value)
    {
        var (exit, _, stderr) = CliRunner.Run("analyze", "whatever.json", option, value);
        Assert.Equal(2, exit);
        Assert.StartsWith("headroom: error:", stderr);
    }

    [Fact]
    public void Terminal_output_is_compact_by_default_and_verbose_shows_every_table()
    {
        // Given a real two-stream DDP trace
        var trace = SharedData.Require("traces/kineto/hta-a100-ddp-nccl-rank0of2.json.gz");

        // When analysed with and without --verbose
        var (code, compact, _) = CliRunner.Run("analyze", trace);
        var (verboseCode, verbose, _) = CliRunner.Run("analyze", trace, "--verbose");

        // Then both are plain text within 100 columns; the compact one has the summary, breakdown, top kernels and
        // headroom, the verbose one adds the steps, ops, roofline-side and idle/launch tables
        Assert.Equal(0, code);
        Assert.Equal(0, verboseCode);
        foreach (var stdout in new[] { compact, verbose })
        {
            Assert.DoesNotContain("\u001b[", stdout);
            Assert.Contains("Rank 0", stdout);
            Assert.Contains("Device time", stdout);
            Assert.Contains("Top kernels", stdout);
            Assert.Contains("ncclKernel_AllReduce", stdout);
            Assert.Contains("Headroom of rank 0: what to fix first", stdout);
            Assert.All(stdout.Split('\n'), l => Assert.True(l.Length <= 100, $"line longer than 100 columns: {l}"));
        }

        Assert.DoesNotContain("Top ops by device time", compact);
        Assert.DoesNotContain("Stream idle", compact);
        Assert.Contains("More: --verbose", compact);
        Assert.Contains("Steps", verbose);
        Assert.Contains("Top ops by device time", verbose);
        Assert.Contains("Stream idle", verbose);
        Assert.Contains("Launches", verbose);
        Assert.DoesNotContain("More: --verbose", verbose);
        Assert.True(compact.Split('\n').Length * 4 < verbose.Split('\n').Length * 3, "the compact view is at least a quarter shorter");
    }
}
