namespace Headroom.Model;

/// <summary>How serious an import or analysis problem is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Worth knowing; results are complete.</summary>
    Info,
    /// <summary>Something was odd or missing; results are still computed for what there is.</summary>
    Warning,
    /// <summary>An input could not be used.</summary>
    Error,
}

/// <summary>A named kind of problem, with a one-sentence explanation (the catalogue is <see cref="DiagnosticCatalog"/>).</summary>
/// <param name="Code">Stable kebab-case name, e.g. <c>trace-truncated</c>.</param>
public sealed record DiagnosticDescriptor(string Code, DiagnosticSeverity Severity, string Explanation);

/// <summary>A problem seen <paramref name="Count"/> times, with the first instance's detail.</summary>
/// <param name="File">The file it concerns, when it concerns one.</param>
public sealed record Diagnostic(DiagnosticDescriptor Descriptor, long Count, string Detail, string? File)
{
    /// <summary>Stable code.</summary>
    public string Code => Descriptor.Code;
    /// <summary>One line for people: the detail, or the explanation when there is no detail.</summary>
    public string Message => string.IsNullOrEmpty(Detail) ? Descriptor.Explanation : Detail;
}

/// <summary>Collects diagnostics, counting repeats of the same code and file. Thread-safe.</summary>
public sealed class DiagnosticBag
{
    private readonly Dictionary<(string Code, string? File), (DiagnosticDescriptor Descriptor, long Count, string Detail)> _entries = [];
    private readonly List<(string Code, string? File)> _order = [];
    private readonly Lock _gate = new();

    /// <summary>Records one occurrence (or <paramref name="count"/>).</summary>
    public void Report(DiagnosticDescriptor descriptor, string detail = "", string? file = null, long count = 1)
    {
        if (count <= 0)
        {
            return;
        }

        lock (_gate)
        {
            var key = (descriptor.Code, file);
            if (_entries.TryGetValue(key, out var e))
            {
                _entries[key] = (e.Descriptor, e.Count + count, e.Detail);
            }
            else
            {
                _entries[key] = (descriptor, count, detail);
                _order.Add(key);
            }
        }
    }

    /// <summary>Adds every diagnostic of <paramref name="diagnostics"/>.</summary>
    public void AddRange(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            Report(d.Descriptor, d.Detail, d.File, d.Count);
        }
    }

    /// <summary>The diagnostics in first-seen order.</summary>
    public IReadOnlyList<Diagnostic> ToList()
    {
        lock (_gate)
        {
            return [.. _order.Select(k => { var e = _entries[k]; return new Diagnostic(e.Descriptor, e.Count, e.Detail, k.File); })];
        }
    }
}
