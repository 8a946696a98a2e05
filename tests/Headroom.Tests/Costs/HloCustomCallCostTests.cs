using System.Globalization;
using Headroom.Costs;
using Xunit;

namespace Headroom.Tests.Costs;

/// <summary>
/// Library custom calls of XSpace HLO modules (<see cref="HloModuleCost"/>): cuDNN/MIOpen backward convolutions. Each
/// figure is worked by hand in its comment from the shapes.
/// </summary>
public sealed class HloCustomCallCostTests
{
    // ---- backward convolutions -------------------------------------------------------------------------------------

    /// <summary>The MI300X conv3d's dimension numbers (bf012_oi012_bf012), as read from its HLO proto.</summary>
    private static readonly HloConvolutionDimensions Bf012 = new(0, 1, [2, 3, 4], 1, 0, [2, 3, 4], 0, 1, [2, 3, 4]);

    /// <summary>NHWC input, HWIO kernel, NHWC output (b01f_01io_b01f).</summary>
    private static readonly HloConvolutionDimensions Nhwc = new(0, 3, [1, 2], 2, 3, [0, 1], 0, 3, [1, 2]);

    public static TheoryData<string, string, string, string, string, double> BackwardConvolutions() => new()
    {
        // The MI300X 3-D convolution x bf16[1,16,32,60,104] ⊛ w bf16[5120,16,1,2,2] → y bf16[1,5120,34,31,53] costs
        // 2 · (5120·34·31·53 = 286,013,440 outputs) · (16·1·2·2 = 64) = 36,609,720,320 FLOPs forward; its input gradient
        // reads (dy, w) and writes dx, its filter gradient reads (x, dy) and writes dw: the same FLOPs each
        { "conv3d input gradient", "__cudnn$convBackwardInput", "bf16[1,5120,34,31,53]", "bf16[5120,16,1,2,2]", "bf16[1,16,32,60,104]", 36_609_720_320d },
        { "conv3d filter gradient", "__cudnn$convBackwardFilter", "bf16[1,16,32,60,104]", "bf16[1,5120,34,31,53]", "bf16[5120,16,1,2,2]", 36_609_720_320d },

        // NHWC 3×3: x f32[8,32,32,64], w f32[3,3,64,128], y f32[8,30,30,128]: 2 · (8·30·30·128 = 921,600) · (3·3·64 = 576) = 1,061,683,200
        { "NHWC input gradient", "__cudnn$convBackwardInput", "f32[8,30,30,128]", "f32[3,3,64,128]", "f32[8,32,32,64]", 1_061_683_200d },
        { "NHWC filter gradient", "__cudnn$convBackwardFilter", "f32[8,32,32,64]", "f32[8,30,30,128]", "f32[3,3,64,128]", 1_061_683_200d },

        // the same in 4 groups: w f32[3,3,16,128] (16 input features per group): 2 · 921,600 · (3·3·16 = 144) = 265,420,800
        { "grouped NHWC filter gradient", "__cudnn$convBackwardFilter", "f32[8,32,32,64]", "f32[8,30,30,128]", "f32[3,3,16,128]", 265_420_800d },
        { "grouped NHWC input gradient", "__cudnn$convBackwardInput", "f32[8,30,30,128]", "f32[3,3,16,128]", "f32[8,32,32,64]", 265_420_800d },
    };

    [Theory]
    [MemberData(nameof(BackwardConvolutions))]
    public void Costs_a_backward_convolution_as_the_forward_convolution_it_differentiates(string name, string target, string first, string second,
        string result, double flops)
    {
        // Given a cuDNN/MIOpen backward convolution of those shapes, its dimension numbers those of the forward convolution
        var dims = name.StartsWith("conv3d", StringComparison.Ordinal) ? Bf012 : Nhwc;
        var cost = Cost(target, "{}", Tuple(result, "u8[1024]"), dims, first, second);

        // Then it costs the forward's FLOPs, and reads its operands and writes its gradient (the workspace left out)
        Assert.NotNull(cost);
        Assert.Equal((flops, "convolution backward custom-call", true), (cost.Flops, cost.Category, cost.Matrix));
        Assert.Equal(Shape(first).Bytes + Shape(second).Bytes + Shape(result).Bytes, cost.Bytes);
        Assert.Equal(result, cost.Shape);
    }

    [Fact]
    public void The_conv3d_gradients_move_the_bytes_of_its_forward()
    {
        // dy 572,026,880 + w 655,360 + dx 6,389,760 = x + dy + dw = 579,072,000 bytes, as the forward's x + w + y
        const string x = "bf16[1,16,32,60,104]", w = "bf16[5120,16,1,2,2]", y = "bf16[1,5120,34,31,53]";
        Assert.Equal(579_072_000d, Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Bf012, y, w)!.Bytes);
        Assert.Equal(579_072_000d, Cost("__cudnn$convBackwardFilter", "", Tuple(w, "u8[1]"), Bf012, x, y)!.Bytes);
    }

    public static TheoryData<string, string, string, string, string> BackwardConvolutionMisfits() => new()
    {
        // dy's 64 features are not w's 128 output features
        { "features", "__cudnn$convBackwardInput", "f32[8,30,30,64]", "f32[3,3,64,128]", "f32[8,32,32,64]" },

        // x's batch 4 is not dy's 8
        { "batch", "__cudnn$convBackwardFilter", "f32[4,32,32,64]", "f32[8,30,30,128]", "f32[3,3,64,128]" },

        // rank 3 for two spatial dimensions
        { "rank", "__cudnn$convBackwardInput", "f32[8,900,128]", "f32[3,3,64,128]", "f32[8,32,32,64]" },

        // a zero-size dimension
        { "zero", "__cudnn$convBackwardFilter", "f32[8,32,32,64]", "f32[8,30,0,128]", "f32[3,3,64,128]" },

        // a tuple where an array belongs
        { "tuple", "__cudnn$convBackwardInput", "(f32[8,30,30,128], f32[1])", "f32[3,3,64,128]", "f32[8,32,32,64]" },
    };

    [Theory]
    [MemberData(nameof(BackwardConvolutionMisfits))]
    public void A_backward_convolution_whose_shapes_do_not_fit_its_dimension_numbers_has_no_cost(string why, string target, string first, string second, string result)
    {
        Assert.False(string.IsNullOrEmpty(why));
        Assert.Null(Cost(target, "", Tuple(result, "u8[1]"), Nhwc, first, second));
    }

    [Fact]
    public void A_backward_convolution_with_unreadable_dimension_numbers_or_one_operand_has_no_cost()
    {
        const string x = "f32[8,32,32,64]", w = "f32[3,3,64,128]", y = "f32[8,30,30,128]";

        // No dimension numbers; an index out of range; a dimension named twice; spatial lists of the wrong length
        Assert.Null(Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), (HloConvolutionDimensions?)null, y, w));
        Assert.Null(Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Nhwc with { KernelOutputFeature = 7 }, y, w));
        Assert.Null(Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Nhwc with { InputBatch = 3 }, y, w));
        Assert.Null(Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Nhwc with { OutputSpatial = [1] }, y, w));
        Assert.Null(Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Nhwc with { KernelSpatial = [0, -1] }, y, w));

        // One operand
        Assert.Null(Cost("__cudnn$convBackwardFilter", "", Tuple(w, "u8[1]"), Nhwc, x));

        // (the same call, well formed: 1,061,683,200)
        Assert.Equal(1_061_683_200d, Cost("__cudnn$convBackwardInput", "", Tuple(x, "u8[1]"), Nhwc, y, w)!.Flops);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------------

    private static HloInstructionCost? Cost(string target, string config, HloShape result, params string[] operands) =>
        Cost(target, config, result, null, operands);

    /// <summary>The cost of a custom call on parameters of the given shapes, alone in a module.</summary>
    private static HloInstructionCost? Cost(string target, string config, HloShape result, HloConvolutionDimensions? convolution, params string[] operands)
    {
        var parameters = operands.Select((s, i) => Parameter(i + 1, Shape(s))).ToList();
        var call = new HloInstruction("call", "custom-call", 100, result, [.. parameters.Select(p => p.Id)], [], [],
            convolution?.KernelOutputFeature ?? -1, "", target, config, convolution);
        var module = new HloModule("m", 1, "c", [new HloComputation("c", 1, 100, [.. parameters, call])]);
        return new HloModuleCost(module).Of("call");
    }

    private static HloInstruction Parameter(long id, HloShape shape) =>
        new($"p{id}", "parameter", id, shape, [], [], [], -1, "", "", "");

    private static HloShape Tuple(params string[] elements) => new("tuple", [], [.. elements.Select(Shape)]);

    /// <summary>An array shape from XLA's text (<c>bf16[2,1024,8,64]</c>), or a tuple of them in parentheses.</summary>
    private static HloShape Shape(string text)
    {
        if (text.StartsWith('('))
        {
            return Tuple([.. text[1..^1].Split(", ")]);
        }

        var open = text.IndexOf('[', StringComparison.Ordinal);
        var dims = text[(open + 1)..^1].Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => long.Parse(d, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray();
        return new HloShape(text[..open], dims, []);
    }
}
