using Headroom.Cli.Rendering;
using Xunit;

namespace Headroom.Tests.Cli;

/// <summary>How kernel and op names are shortened for the terminal's table cells.</summary>
public sealed class ShortNameTests
{
    public static TheoryData<string, int, string> Names() => new()
    {
        // name as the trace gives it, cell width, what the cell shows
        { "%copy-done.2 = f32[5,1024,1024,256]{3,2,1,0:T(8,128)} copy-done((f32[5,1024,1024,256]{3,2,1,0:T(8,128)}) %copy-start.2)", 40,
            "copy-done.2 f32[5,1024,1024,256]" },
        { "%copy-start = (f32[8]{0}, f32[8]{0:S(5)}, u32[]) copy-start(f32[8]{0:S(5)} %param)", 40, "copy-start" },
        { "%fusion.12 = bf16[256,256] fusion(bf16[256,256] %p0), kind=kLoop", 40, "fusion.12 bf16[256,256]" },
        { "void at::native::vectorized_elementwise_kernel<4, at::native::FillFunctor<float>>(int, at::native::FillFunctor<float>)", 60,
            "vectorized_elementwise_kernel<4, FillFunctor…>" }, // template arguments two deep fold to …
        { "ampere_sgemm_128x64_tn", 10, "ampere_sg…" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void A_name_is_shortened_for_its_table_cell(string name, int width, string shown)
    {
        Assert.Equal(shown, TerminalReportRenderer.ShortName(name, width));
    }
}
