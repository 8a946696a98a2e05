using System.Globalization;
using Headroom.Model;

namespace Headroom.Hardware;

/// <summary>Which catalog device a trace ran on, how that was decided, and how sure it is.</summary>
/// <param name="Spec">The device; null when unknown.</param>
/// <param name="How">One sentence: the evidence, or why nothing matched and how to supply the device.</param>
/// <param name="Confidence">"high" (name and counts agree), "medium" (name only, a generic name with agreeing counts, or a tie),
/// "low" (counts only, or a name whose counts disagree), "none" (no match).</param>
public sealed record DeviceMatch(DeviceSpec? Spec, string How, string Confidence);

/// <summary>
/// Matches trace metadata (<see cref="DeviceInfo"/> from deviceProperties) to catalog devices: name patterns first, then
/// SM/CU count, memory and compute capability to choose between candidates (H100 SXM 132 SMs vs PCIe 114; A100 40 vs 80 GB)
/// and, when the name is generic or empty, to recognise the device by its counts alone.
/// </summary>
public static class HardwareDetector
{
    private const string Supply = "pass --hardware NAME (see `headroom hardware list`) or describe the device in --hardware-file FILE (docs/hardware.md)";

    /// <summary>Detects the device of a rank against the built-in catalog.</summary>
    public static DeviceMatch Detect(IReadOnlyList<DeviceInfo> devices) => Detect(devices, HardwareCatalog.BuiltIn);

    /// <summary>
    /// Detects the device of a rank. Devices with identical properties are detected once; when a trace lists different
    /// devices the most frequent one wins and <see cref="DeviceMatch.How"/> says so.
    /// </summary>
    public static DeviceMatch Detect(IReadOnlyList<DeviceInfo> devices, HardwareCatalog catalog)
    {
        if (devices.Count == 0)
        {
            return new DeviceMatch(null, $"the trace has no deviceProperties, so the device cannot be detected; {Supply}", "none");
        }

        var groups = devices
            .GroupBy(d => (d.Name.Trim(), d.TotalMemoryBytes, d.ComputeCapability, d.MultiprocessorCount))
            .OrderByDescending(g => g.Count())
            .ToList();
        var matches = groups.Select(g => DetectOne(g.First(), catalog)).ToList();
        var first = matches[0];
        var distinctSpecs = matches.Select(m => m.Spec?.Id).Distinct().Count();
        if (distinctSpecs > 1)
        {
            var others = string.Join(", ", matches.Skip(1).Select(m => m.Spec?.Id ?? "unknown").Distinct());
            return first with { How = $"{first.How}; the trace also lists other devices ({others}), the most frequent is used" };
        }

        return devices.Count > 1 ? first with { How = $"{first.How} (all {devices.Count} devices)" } : first;
    }

    /// <summary>Detects one device.</summary>
    public static DeviceMatch DetectOne(DeviceInfo device, HardwareCatalog catalog)
    {
        var name = device.Name.Trim();
        var facts = Facts(device);
        var evaluated = catalog.Devices.Select(spec => Evaluate(spec, name, device)).ToList();

        var strong = evaluated.Where(c => c.StrongName is not null).ToList();
        var consistent = strong.Where(c => c.Contradictions.Count == 0).ToList();
        if (consistent.Count > 0)
        {
            var best = consistent.Max(c => c.Confirmations.Count);
            var top = consistent.Where(c => c.Confirmations.Count == best).ToList();
            var pick = top[0];
            var how = $"name \"{name}\" matches {pick.Spec.Id} (pattern '{pick.StrongName}')"
                + (pick.Confirmations.Count > 0 ? $"; {string.Join(", ", pick.Confirmations)} agree" : $"; {facts} not given to confirm it");
            if (top.Count > 1)
            {
                return new DeviceMatch(pick.Spec,
                    $"{how}; equally likely: {string.Join(", ", top.Skip(1).Select(c => c.Spec.Id))} (catalog order decides; use --hardware to choose)",
                    "medium");
            }

            var ruledOut = strong.Where(c => c.Contradictions.Count > 0).Select(c => $"{c.Spec.Id} ({c.Contradictions[0]})").ToList();
            if (ruledOut.Count > 0)
            {
                how += $"; ruled out {string.Join(", ", ruledOut)}";
            }

            return new DeviceMatch(pick.Spec, how, pick.Confirmations.Count > 0 ? "high" : "medium");
        }

        if (strong.Count > 0)
        {
            var pick = strong.OrderBy(c => c.Contradictions.Count).ThenByDescending(c => c.Confirmations.Count).First();
            return new DeviceMatch(pick.Spec,
                $"name \"{name}\" matches {pick.Spec.Id} (pattern '{pick.StrongName}') but {string.Join(", ", pick.Contradictions)}: check the device or {Supply}",
                "low");
        }

        var weak = evaluated
            .Where(c => c.WeakName is not null && c.Contradictions.Count == 0 && c.Confirmations.Count >= 2)
            .OrderByDescending(c => c.Confirmations.Count)
            .ToList();
        if (weak.Count > 0)
        {
            var pick = weak[0];
            return new DeviceMatch(pick.Spec,
                $"name \"{name}\" is generic (pattern '{pick.WeakName}' of {pick.Spec.Id}); {string.Join(", ", pick.Confirmations)} agree with {pick.Spec.Name}",
                "medium");
        }

        var byCounts = evaluated
            .Where(c => c.Spec.Match.Multiprocessors is not null && c.Spec.Match.MinMemoryGiB is not null
                && c.Contradictions.Count == 0 && c.Confirmations.Count >= 2)
            .ToList();
        if (byCounts.Count > 0)
        {
            var best = byCounts.Max(c => c.Confirmations.Count);
            var top = byCounts.Where(c => c.Confirmations.Count == best).ToList();
            var label = name.Length == 0 ? "the trace gives no device name" : $"name \"{name}\" is not in the catalog";
            if (top.Count == 1)
            {
                return new DeviceMatch(top[0].Spec, $"{label}; {string.Join(", ", top[0].Confirmations)} fit only {top[0].Spec.Id}", "low");
            }

            var several = $"{label}; {facts} fit several devices ({string.Join(", ", top.Select(c => c.Spec.Id))})";
            return FromTrace(device, several) ?? new DeviceMatch(null, $"{several}; {Supply}", "none");
        }

        var what = name.Length == 0 ? $"the trace gives no device name ({facts})" : $"no catalog device matches \"{name}\" ({facts})";
        return FromTrace(device, what) ?? new DeviceMatch(null, $"{what}; {Supply}", "none");
    }

    /// <summary>
    /// A device the catalog does not know, described by the peaks its own trace reports (an XSpace TPU plane's
    /// <c>peak_teraflops_per_second</c>, the bf16 MXU peak, and its HBM bandwidth); null unless the trace gives both.
    /// </summary>
    private static DeviceMatch? FromTrace(DeviceInfo device, string what)
    {
        if (device.PeakFlopsPerSecond <= 0 || device.MemoryBandwidthBytesPerSecond <= 0)
        {
            return null;
        }

        var name = device.Name.Trim().Length > 0 ? device.Name.Trim() : "device";
        var spec = new DeviceSpec
        {
            Id = "trace:" + name,
            Name = $"{name} (peaks reported by the trace)",
            Multiprocessors = device.MultiprocessorCount,
            MemoryCapacity = new ByteSize(device.TotalMemoryBytes),
            MemoryBandwidth = new Bandwidth(device.MemoryBandwidthBytesPerSecond),
            MatrixPeaks = new Dictionary<Precision, FlopRate> { [Precision.Bf16] = new(device.PeakFlopsPerSecond) },
            Confidence = "reported by the trace",
        };
        return new DeviceMatch(spec, string.Create(CultureInfo.InvariantCulture,
            $"{what}; using the peaks the trace reports: {device.PeakFlopsPerSecond / 1e12:0.#} TFLOP/s (bf16 matrix) and {device.MemoryBandwidthBytesPerSecond / 1e12:0.###} TB/s; {Supply} to use others"),
            "low");
    }

    private static string Facts(DeviceInfo d)
    {
        var parts = new List<string>();
        if (d.MultiprocessorCount > 0)
        {
            parts.Add($"{d.MultiprocessorCount} SMs/CUs");
        }

        if (d.TotalMemoryBytes > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{d.TotalMemoryBytes / 1073741824d:0.#} GiB"));
        }

        if (d.ComputeCapability.Length > 0)
        {
            parts.Add($"compute {d.ComputeCapability}");
        }

        return parts.Count == 0 ? "no SM count, memory or compute capability" : string.Join(", ", parts);
    }

    private static Candidate Evaluate(DeviceSpec spec, string name, DeviceInfo d)
    {
        var rule = spec.Match;
        var strong = name.Length == 0 ? null : rule.Names.FirstOrDefault(r => r.IsMatch(name))?.ToString();
        var weak = name.Length == 0 ? null : rule.WeakNames.FirstOrDefault(r => r.IsMatch(name))?.ToString();
        var confirmations = new List<string>();
        var contradictions = new List<string>();
        if (rule.Multiprocessors is { } sms && d.MultiprocessorCount > 0)
        {
            (d.MultiprocessorCount == sms ? confirmations : contradictions).Add(
                d.MultiprocessorCount == sms ? $"{sms} SMs/CUs" : $"{d.MultiprocessorCount} SMs/CUs is not {sms}");
        }

        if (rule.MinMemoryGiB is { } min && rule.MaxMemoryGiB is { } max && d.TotalMemoryBytes > 0)
        {
            var gib = d.TotalMemoryBytes / 1073741824d;
            var text = string.Create(CultureInfo.InvariantCulture, $"{gib:0.#} GiB");
            if (gib >= min && gib <= max)
            {
                confirmations.Add(text);
            }
            else
            {
                contradictions.Add(string.Create(CultureInfo.InvariantCulture, $"{text} is outside {min:0.#}-{max:0.#} GiB"));
            }
        }

        // "9.0" vs "gfx90a": different notations (gcnArchName when the trace has it) are not compared.
        if (rule.ComputeCapability is { Length: > 0 } cc && d.ComputeCapability.Length > 0
            && cc.StartsWith("gfx", StringComparison.OrdinalIgnoreCase) == d.ComputeCapability.StartsWith("gfx", StringComparison.OrdinalIgnoreCase))
        {
            if (string.Equals(cc, d.ComputeCapability, StringComparison.OrdinalIgnoreCase))
            {
                confirmations.Add($"compute {cc}");
            }
            else
            {
                contradictions.Add($"compute {d.ComputeCapability} is not {cc}");
            }
        }

        return new Candidate(spec, strong, weak, confirmations, contradictions);
    }

    private sealed record Candidate(DeviceSpec Spec, string? StrongName, string? WeakName, List<string> Confirmations, List<string> Contradictions);
}
