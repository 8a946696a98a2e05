using System.Text;
using Headroom.Ingest.ChromeTrace;
using Xunit;

namespace Headroom.Tests.Ingest.ChromeTrace;

/// <summary>
/// Chrome-trace microseconds to int64 nanoseconds, exactly from the number's digits: a double would lose the
/// nanoseconds of an epoch timestamp such as 1712195495519689.047 µs.
/// </summary>
public sealed class ChromeTimestampTests
{
    [Theory]
    [InlineData("0", 0L, false)]
    [InlineData("1", 1_000L, false)]
    [InlineData("1.5", 1_500L, true)]
    [InlineData("1.000", 1_000L, false)]
    [InlineData("0.0005", 1L, true)] // exactly half a nanosecond rounds away from zero
    [InlineData("0.0004999", 0L, true)]
    [InlineData("1.9995", 2_000L, true)]
    [InlineData("-0.0005", -1L, true)]
    [InlineData("1712195495519689.047", 1_712_195_495_519_689_047L, true)]
    [InlineData("-3.25", -3_250L, true)]
    [InlineData("1e3", 1_000_000L, false)]
    [InlineData("1.5E-3", 2L, true)] // 1.5 ns, half away from zero
    [InlineData("2.5e-4", 0L, true)] // 0.25 ns
    [InlineData("9223372036854775.807", long.MaxValue, true)]
    [InlineData("-9223372036854775.808", long.MinValue, true)]
    public void Converts_microseconds_to_exact_nanoseconds(string text, long nanos, bool fractional)
    {
        var status = ChromeTimestamp.TryMicrosToNanos(Encoding.ASCII.GetBytes(text), out var actual, out var actualFractional);

        Assert.Equal(NumberStatus.Ok, status);
        Assert.Equal(nanos, actual);
        Assert.Equal(fractional, actualFractional);
    }

    [Theory]
    [InlineData("9223372036854776", "OutOfRange")]
    [InlineData("9223372036854775.8075", "OutOfRange")] // rounds to long.MaxValue + 1
    [InlineData("-9223372036854775.809", "OutOfRange")]
    [InlineData("1e30", "OutOfRange")]
    [InlineData("99999999999999999999999", "OutOfRange")]
    [InlineData("1E400", "OutOfRange")]
    [InlineData("abc", "Invalid")]
    [InlineData("", "Invalid")]
    [InlineData("-", "Invalid")]
    [InlineData("1.5x", "Invalid")]
    public void Refuses_numbers_that_are_not_int64_nanoseconds(string text, string expected)
    {
        var status = ChromeTimestamp.TryMicrosToNanos(Encoding.ASCII.GetBytes(text), out _, out _);

        Assert.Equal(Enum.Parse<NumberStatus>(expected), status);
    }

    [Theory]
    [InlineData("42", 42L)]
    [InlineData("-1", -1L)]
    [InlineData("12.0", 12L)]
    [InlineData("1e3", 1_000L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void Reads_integer_ids_even_when_written_as_floats(string text, long expected)
    {
        Assert.Equal(NumberStatus.Ok, ChromeTimestamp.TryInteger(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("12.5", "Invalid")]
    [InlineData("1e30", "OutOfRange")]
    [InlineData("0x10", "Invalid")]
    public void Refuses_ids_that_are_not_integers(string text, string expected) =>
        Assert.Equal(Enum.Parse<NumberStatus>(expected), ChromeTimestamp.TryInteger(Encoding.ASCII.GetBytes(text), out _));
}
