using Headroom.Analysis.Kernels;
using Xunit;

namespace Headroom.Tests.Analysis.Kernels;

/// <summary>XLA HLO instructions as a TPU's XLA Ops line names them, classified by opcode (or a fusion's name).</summary>
public sealed class HloClassifierTests
{
    [Theory]
    [InlineData("%all-reduce = f32[5,1024]{1,0} all-reduce(f32[5,1024]{1,0} %p), replica_groups={{0,1}}", KernelCategory.Communication)]
    [InlineData("%all-gather-start.1 = (f32[8]{0}, f32[32]{0}) all-gather-start(f32[8]{0} %x)", KernelCategory.Communication)]
    [InlineData("%copy-start.1 = (f32[5,1024]{1,0:T(8,128)S(5)}, f32[5,1024]{1,0:T(8,128)}, u32[]{:S(2)}) copy-start(f32[5,1024]{1,0} %a)", KernelCategory.Memory)]
    [InlineData("%copy-done = f32[5,1024]{1,0} copy-done((f32[5,1024]{1,0}, f32[5,1024]{1,0}, u32[]) %copy-start)", KernelCategory.Memory)]
    [InlineData("%infeed.1 = ((f32[128,256]{1,0}), token[]) infeed(token[] %after-all)", KernelCategory.Memory)]
    [InlineData("%outfeed = token[] outfeed(f32[8]{0} %x, token[] %t)", KernelCategory.Memory)]
    [InlineData("%convolution.3 = bf16[8,64,64,128]{3,2,1,0} convolution(bf16[8,66,66,64]{3,2,1,0} %a, bf16[3,3,64,128]{3,2,1,0} %w)", KernelCategory.Convolution)]
    [InlineData("%dot.1 = f32[128,128]{1,0} dot(f32[128,256]{1,0} %a, f32[256,128]{1,0} %b)", KernelCategory.Gemm)]
    [InlineData("%convolution_add_fusion = bf16[8,64]{1,0} fusion(bf16[8,64]{1,0} %a), kind=kOutput", KernelCategory.Convolution)]
    [InlineData("%reduce_fusion.2 = f32[8]{0} fusion(f32[8,64]{1,0} %a), kind=kInput", KernelCategory.Reduction)]
    [InlineData("%broadcast_add_fusion.2 = f32[5,1024]{1,0:T(8,128)} fusion(f32[5,1024]{1,0} %a, f32[]{:T(128)} %b), kind=kLoop", KernelCategory.Elementwise)]
    public void Classifies_an_HLO_instruction_by_its_opcode(string instruction, KernelCategory expected) =>
        Assert.Equal(expected, KernelClassifier.Classify(instruction));
}
