using Xunit;

namespace Headroom.Tests.Support;

/// <summary>The CSV reader the HTA comparison relies on must read pandas output exactly.</summary>
public sealed class CsvTableTests
{
    [Fact]
    public void Reads_the_unnamed_pandas_index_column_and_quoted_names_with_commas()
    {
        // Given a pandas CSV whose kernel name holds commas, doubled quotes and a line break
        const string text = ",name,sum (us),rank\n"
            + "0,\"ncclKernel_SendRecv(ncclDevComm*, unsigned long, ncclWork*)\",195327.0,0\r\n"
            + "1,\"say \"\"hi\"\",\nthere\",1.5,1\n"
            + "2,plain,,1\n";

        // When it is parsed
        var table = CsvTable.Parse(text);

        // Then the index column has an empty name and every field is intact
        Assert.Equal(["", "name", "sum (us)", "rank"], table.Header);
        Assert.Equal(3, table.Rows.Count);
        Assert.Equal("ncclKernel_SendRecv(ncclDevComm*, unsigned long, ncclWork*)", table[0, "name"]);
        Assert.Equal("195327.0", table[0, "sum (us)"]);
        Assert.Equal("say \"hi\",\nthere", table[1, "name"]);
        Assert.Equal("1", table[1, "rank"]);
        Assert.Equal("", table[2, "sum (us)"]);
        Assert.Equal("2", table[2, ""]);
    }

    [Fact]
    public void Reads_a_header_only_file_as_no_rows()
    {
        var table = CsvTable.Parse(",kernel_type,sum,percentage\n");

        Assert.Equal(["", "kernel_type", "sum", "percentage"], table.Header);
        Assert.Empty(table.Rows);
    }

    [Theory]
    [InlineData("a,b\n1,2,3\n")]
    [InlineData("a,b\n\"1,2\n")]
    public void Rejects_ragged_or_unterminated_records(string text) =>
        Assert.Throws<FormatException>(() => CsvTable.Parse(text));
}
