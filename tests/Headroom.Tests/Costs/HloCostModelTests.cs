using Headroom.Costs;
using Xunit;

namespace Headroom.Tests.Costs;

/// <summary>Shape-based estimates of HLO instructions, worked by hand.</summary>
public sealed class HloCostModelTests
{
    [Theory]
    // dot: 2 · (128·128 outputs) · 256 contracted = 8,388,608 FLOPs; bytes (128·256 + 256·128 + 128·128)·4 = 327,680
    [InlineData("%dot.1 = f32[128,128]{1,0} dot(f32[128,256]{1,0} %a, f32[256,128]{1,0} %b), lhs_contracting_dims={1}, rhs_contracting_dims={0}", "dot", 8_388_608d, 327_680d)]
    // batched bf16 dot over dim 2: 2 · (4·64·32) · 16 = 262,144 FLOPs; bytes (4·64·16 + 4·16·32 + 4·64·32)·2 = 28,672
    [InlineData("%dot.2 = bf16[4,64,32]{2,1,0} dot(bf16[4,64,16]{2,1,0} %a, bf16[4,16,32]{2,1,0} %b), lhs_batch_dims={0}, lhs_contracting_dims={2}, rhs_batch_dims={0}, rhs_contracting_dims={1}", "dot", 262_144d, 28_672d)]
    // add: one FLOP per output element (1024); bytes 3 · 1024 · 4 = 12,288
    [InlineData("%add.3 = f32[1024]{0} add(f32[1024]{0} %x, f32[1024]{0} %y)", "add", 1_024d, 12_288d)]
    // a loop fusion: bytes only (operand 5·1024·1024·256·4 + scalar 4 + result), no FLOP formula
    [InlineData("%broadcast_add_fusion.2 = f32[5,1024,1024,256]{3,2,1,0:T(8,128)} fusion(f32[5,1024,1024,256]{3,2,1,0:T(8,128)} %p, f32[]{:T(128)} %c), kind=kLoop", "fusion", double.NaN, 10_737_418_244d)]
    public void Estimates_an_instruction_from_its_shapes(string instruction, string opcode, double flops, double bytes)
    {
        var e = HloCostModel.Of(instruction);
        Assert.NotNull(e);
        Assert.Equal(opcode, e.Opcode);
        Assert.Equal(double.IsNaN(flops) ? null : flops, e.Flops);
        Assert.Equal(bytes, e.Bytes);
    }

    [Theory]
    [InlineData("aten::mm")]
    [InlineData("")]
    [InlineData("%broken = f32[")]
    [InlineData("%x = f32[99999999999999999999999] add(")]
    public void Text_that_is_not_a_readable_instruction_has_no_estimate_and_never_throws(string text)
    {
        var e = HloCostModel.Of(text);
        Assert.True(e is null || (e.Flops is null or >= 0 && e.Bytes is null or >= 0));
    }
}
