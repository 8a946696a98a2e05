using System.Globalization;
using System.Text;

namespace Headroom.Bench.Sample;

/// <summary>One Chrome-trace event of the synthetic job; times in integer nanoseconds, args as raw JSON values.</summary>
internal sealed class SampleEvent
{
    public required string Phase { get; init; }
    public string? Category { get; init; }
    public required string Name { get; init; }
    /// <summary>Raw JSON: a number or a quoted string.</summary>
    public required string Pid { get; init; }
    /// <summary>Raw JSON: a number or a quoted string.</summary>
    public required string Tid { get; init; }
    public long Ts { get; set; }
    public long? Dur { get; set; }
    public long? FlowId { get; init; }
    public bool BindEnclosing { get; init; }
    public string? Scope { get; init; }
    public List<(string Key, string Value)>? Args { get; set; }

    /// <summary>Order of writing: metadata first, then by time (stable for equal times).</summary>
    public int Sequence { get; set; }

    /// <summary>Writes the event the way Kineto lays it out (one field group per line, args indented).</summary>
    public void WriteTo(StringBuilder sb)
    {
        sb.Append("  {\n    ");
        if (Phase == "M")
        {
            sb.Append("\"name\": ").Append(Quote(Name)).Append(", \"ph\": \"M\", \"ts\": ").Append(Micros(Ts))
                .Append(", \"pid\": ").Append(Pid).Append(", \"tid\": ").Append(Tid).Append(",\n    ");
        }
        else if (FlowId is long id)
        {
            sb.Append("\"ph\": \"").Append(Phase).Append("\", \"id\": ").Append(id.ToString(CultureInfo.InvariantCulture))
                .Append(", \"pid\": ").Append(Pid).Append(", \"tid\": ").Append(Tid).Append(", \"ts\": ").Append(Micros(Ts)).Append(",\n    ")
                .Append("\"cat\": ").Append(Quote(Category!)).Append(", \"name\": ").Append(Quote(Name));
            if (BindEnclosing)
            {
                sb.Append(", \"bp\": \"e\"");
            }
        }
        else if (Phase == "i")
        {
            sb.Append("\"name\": ").Append(Quote(Name)).Append(", \"ph\": \"i\", \"s\": \"").Append(Scope ?? "t").Append("\",\n    ")
                .Append("\"pid\": ").Append(Pid).Append(", \"tid\": ").Append(Tid).Append(", \"ts\": ").Append(Micros(Ts));
        }
        else
        {
            sb.Append("\"ph\": \"").Append(Phase).Append("\", \"cat\": ").Append(Quote(Category!)).Append(", \"name\": ").Append(Quote(Name))
                .Append(", \"pid\": ").Append(Pid).Append(", \"tid\": ").Append(Tid).Append(",\n    ")
                .Append("\"ts\": ").Append(Micros(Ts));
            if (Dur is long d)
            {
                sb.Append(", \"dur\": ").Append(Micros(d));
            }
        }

        if (Args is { Count: > 0 } args)
        {
            if (Phase is not "M")
            {
                sb.Append(",\n    ");
            }

            sb.Append("\"args\": {\n      ");
            for (var i = 0; i < args.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                sb.Append(Quote(args[i].Key)).Append(": ").Append(args[i].Value);
            }

            sb.Append("\n    }");
        }
        else if (Phase == "M")
        {
            // Metadata always carries args; keep the layout valid if one does not.
            sb.Append("\"args\": {}");
        }

        sb.Append("\n  }");
    }

    /// <summary>Nanoseconds as Kineto's microseconds with three decimals.</summary>
    public static string Micros(long ns)
    {
        var sign = ns < 0 ? "-" : "";
        var a = Math.Abs(ns);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{a / 1000}.{a % 1000:D3}");
    }

    public static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2);
        sb.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }
}
