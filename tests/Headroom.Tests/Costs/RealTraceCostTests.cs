using Headroom.Costs;
using Headroom.Ingest;
using Headroom.Tests.Support;
using Xunit;

namespace Headroom.Tests.Costs;

/// <summary>
/// Every host op with recorded Input Dims in the shared Kineto traces: the estimate never throws and is never NaN,
/// infinite or negative; an op with a formula gets an estimate unless the trace left out what the formula needs
/// (<see cref="OpCostKind.MissingShapes"/>, or no Input type at all in the legacy autograd trace).
/// </summary>
public sealed class RealTraceCostTests
{
    public static TheoryData<string> Jobs() => HtaReferenceJobs.Where(_ => true);

    [Theory]
    [MemberData(nameof(Jobs))]
    public void Every_recorded_op_is_estimated_or_says_why(string job)
    {
        var result = TraceLoader.Load([HtaReferenceJobs.TracePath(job)]);
        Assert.NotNull(result.Run);
        long withDims = 0, withFormula = 0, estimated = 0;
        var cache = new Dictionary<(int, int, int, int), OpCost>();
        var failures = new List<string>();
        var missing = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rank in result.Run.Ranks)
        {
            cache.Clear();
            var cpu = rank.Cpu;
            for (var i = 0; i < cpu.Count; i++)
            {
                if (cpu.Args[i] < 0 || rank.OpArgs[cpu.Args[i]].InputDims == 0)
                {
                    continue;
                }

                var args = rank.OpArgs[cpu.Args[i]];
                withDims++;
                var name = rank.Strings[cpu.Name[i]];
                var key = (cpu.Name[i], args.InputDims, args.InputTypes, args.ConcreteInputs);
                if (!cache.TryGetValue(key, out var cost))
                {
                    cost = OpCostModel.Estimate(name, rank.Strings[args.InputDims], rank.Strings[args.InputTypes], rank.Strings[args.ConcreteInputs]);
                    cache[key] = cost;
                    Assert.True(double.IsFinite(cost.Flops) && cost.Flops >= 0, $"{name}: FLOPs {cost.Flops}");
                    Assert.True(cost.BytesRead >= 0 && cost.BytesWritten >= 0, $"{name}: bytes {cost.BytesRead}/{cost.BytesWritten}");
                    // hta-128rank-sampled records TorchScript graph nodes under aten names, with the graph's captured tensors as
                    // extra inputs ([[2048,160,72],[2048,2400],[256,2400],[256]] for a linear): they do not fit the formula.
                    var torchScript = job == "hta-128rank-sampled" && cost.Kind == OpCostKind.ShapeMismatch;
                    var legacyUntyped = cost.Kind == OpCostKind.UnknownDtype && rank.Strings[args.InputTypes] is "" or "[]";
                    if (OpCostModel.HasFormula(name) && !cost.HasEstimate && cost.Kind != OpCostKind.MissingShapes && !legacyUntyped && !torchScript)
                    {
                        failures.Add($"{name} {rank.Strings[args.InputDims]} {rank.Strings[args.InputTypes]} {rank.Strings[args.ConcreteInputs]}: {cost.Kind} {cost.Reason}");
                    }
                }

                if (OpCostModel.HasFormula(name))
                {
                    withFormula++;
                    if (cost.HasEstimate)
                    {
                        estimated++;
                    }
                    else
                    {
                        missing[$"{name}: {cost.Reason}"] = missing.GetValueOrDefault($"{name}: {cost.Reason}") + 1;
                    }
                }
            }
        }

        var output = TestContext.Current.TestOutputHelper;
        var line = $"{job}: {withDims} ops with Input Dims, {withFormula} with a formula, {estimated} estimated ({(withFormula == 0 ? 100 : 100.0 * estimated / withFormula):0.0}%)";
        output?.WriteLine(line);
        var lines = new List<string> { line };
        foreach (var (reason, count) in missing.OrderByDescending(kv => kv.Value).Take(8))
        {
            lines.Add($"  no estimate x{count}: {reason}");
            output?.WriteLine(lines[^1]);
        }

        if (Environment.GetEnvironmentVariable("HEADROOM_COST_COVERAGE_DIR") is { Length: > 0 } dir)
        {
            File.WriteAllLines(Path.Combine(dir, job.Replace('/', '_') + ".txt"), lines);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct().Take(20)));
    }
}
