using System.Globalization;

namespace Headroom.Ingest.ChromeTrace;

/// <summary>Outcome of converting a JSON number.</summary>
internal enum NumberStatus
{
    Ok,
    OutOfRange,
    Invalid,
}

/// <summary>
/// Converts Chrome-trace microsecond numbers (e.g. <c>1712195495519689.047</c>) to int64 nanoseconds
/// exactly, from the number's own digits: a double would lose the nanoseconds of a 1.7e15 µs epoch timestamp.
/// </summary>
internal static class ChromeTimestamp
{
    private const long MaxWholeMicros = long.MaxValue / 1000;

    /// <summary>Parses <paramref name="utf8"/> (microseconds) into nanoseconds, rounding half away from zero below 1 ns.</summary>
    /// <param name="fractional">True when the number had a non-zero fraction of a microsecond.</param>
    public static NumberStatus TryMicrosToNanos(ReadOnlySpan<byte> utf8, out long nanos, out bool fractional)
    {
        nanos = 0;
        fractional = false;
        var i = 0;
        var negative = false;
        if (i < utf8.Length && utf8[i] == (byte)'-')
        {
            negative = true;
            i++;
        }

        long whole = 0;
        var digits = 0;
        for (; i < utf8.Length && (uint)(utf8[i] - '0') <= 9; i++, digits++)
        {
            if (whole > (MaxWholeMicros - 9) / 10)
            {
                return Slow(utf8, out nanos, out fractional);
            }

            whole = (whole * 10) + (utf8[i] - '0');
        }

        if (digits == 0)
        {
            return NumberStatus.Invalid;
        }

        long frac = 0;
        var fracDigits = 0;
        var roundUp = false;
        if (i < utf8.Length && utf8[i] == (byte)'.')
        {
            i++;
            for (; i < utf8.Length && (uint)(utf8[i] - '0') <= 9; i++)
            {
                var digit = utf8[i] - '0';
                if (digit != 0)
                {
                    fractional = true;
                }

                if (fracDigits < 3)
                {
                    frac = (frac * 10) + digit;
                }
                else if (fracDigits == 3)
                {
                    roundUp = digit >= 5;
                }

                fracDigits++;
            }
        }

        if (i < utf8.Length)
        {
            // Exponent or other notation: rare, take the exact decimal route.
            return Slow(utf8, out nanos, out fractional);
        }

        for (var k = fracDigits; k < 3; k++)
        {
            frac *= 10;
        }

        nanos = (whole * 1000) + frac + (roundUp ? 1 : 0);
        if (negative)
        {
            nanos = -nanos;
        }

        return NumberStatus.Ok;
    }

    private static NumberStatus Slow(ReadOnlySpan<byte> utf8, out long nanos, out bool fractional)
    {
        nanos = 0;
        fractional = false;
        Span<char> chars = stackalloc char[Math.Min(utf8.Length, 64)];
        if (utf8.Length > 64)
        {
            return NumberStatus.OutOfRange;
        }

        for (var k = 0; k < utf8.Length; k++)
        {
            chars[k] = (char)utf8[k];
        }

        if (!decimal.TryParse(chars, NumberStyles.Float, CultureInfo.InvariantCulture, out var micros))
        {
            // Digits beyond decimal's range: certainly beyond int64 nanoseconds.
            return double.TryParse(chars, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? NumberStatus.OutOfRange : NumberStatus.Invalid;
        }

        var ns = micros * 1000m;
        if (ns > long.MaxValue || ns < long.MinValue)
        {
            return NumberStatus.OutOfRange;
        }

        fractional = decimal.Truncate(micros) != micros;
        nanos = (long)decimal.Round(ns, MidpointRounding.AwayFromZero);
        return NumberStatus.Ok;
    }

    /// <summary>Parses an integer id that may be written as a float (<c>12.0</c>).</summary>
    public static NumberStatus TryInteger(ReadOnlySpan<byte> utf8, out long value)
    {
        if (System.Buffers.Text.Utf8Parser.TryParse(utf8, out value, out var consumed) && consumed == utf8.Length)
        {
            return NumberStatus.Ok;
        }

        Span<char> chars = stackalloc char[64];
        if (utf8.Length > 64)
        {
            return NumberStatus.OutOfRange;
        }

        for (var k = 0; k < utf8.Length; k++)
        {
            chars[k] = (char)utf8[k];
        }

        if (double.TryParse(chars[..utf8.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            if (d is >= long.MinValue and <= long.MaxValue && Math.Floor(d) == d)
            {
                value = (long)d;
                return NumberStatus.Ok;
            }

            return Math.Abs(d) > long.MaxValue ? NumberStatus.OutOfRange : NumberStatus.Invalid;
        }

        return NumberStatus.Invalid;
    }
}
