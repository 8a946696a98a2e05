using System.Text.RegularExpressions;

namespace Headroom.Hardware;

/// <summary>
/// One device of the hardware catalog (<c>catalog.json</c>, or a <c>--hardware-file</c>). Every peak is dense (no
/// structured sparsity) and per device as the framework sees it (one GCD of an MI250X, one TPU chip).
/// Units live in the types: <see cref="FlopRate"/>, <see cref="Bandwidth"/>, <see cref="ByteSize"/>. See docs/hardware.md.
/// </summary>
public sealed record DeviceSpec
{
    /// <summary>Stable key, e.g. "h100-sxm"; a custom file's device with the same id replaces the built-in one.</summary>
    public required string Id { get; init; }

    /// <summary>Display name, e.g. "NVIDIA H100 SXM5 80GB".</summary>
    public required string Name { get; init; }

    /// <summary>"NVIDIA", "AMD", "Google", ...</summary>
    public string Vendor { get; init; } = "";

    /// <summary>Architecture / die.</summary>
    public string Architecture { get; init; } = "";

    /// <summary>Other names accepted by <see cref="HardwareCatalog.Find"/> (case- and punctuation-insensitive).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>How trace metadata is matched to this device.</summary>
    public DeviceMatchRule Match { get; init; } = DeviceMatchRule.None;

    /// <summary>SMs (NVIDIA), CUs (AMD) or TensorCores (TPU).</summary>
    public int Multiprocessors { get; init; }

    /// <summary>Boost clock the peaks assume, MHz; null when not published.</summary>
    public double? BoostClockMHz { get; init; }

    /// <summary>Devices the framework sees per physical package (2 for MI250/MI250X GCDs); the peaks are per visible device.</summary>
    public int VisibleDevicesPerPackage { get; init; } = 1;

    /// <summary>"HBM3", "GDDR6X", ...</summary>
    public string MemoryType { get; init; } = "";

    /// <summary>Device memory capacity.</summary>
    public ByteSize MemoryCapacity { get; init; }

    /// <summary>Peak device-memory bandwidth.</summary>
    public Bandwidth MemoryBandwidth { get; init; }

    /// <summary>On-chip memories by name without unit suffix: "l2", "sharedPerSm", "ldsPerCu", "infinityCache", "vmem", "cmem".</summary>
    public IReadOnlyDictionary<string, ByteSize> OnChip { get; init; } = new Dictionary<string, ByteSize>();

    /// <summary>Dense peaks of the matrix units (tensor cores, matrix cores, MXUs).</summary>
    public IReadOnlyDictionary<Precision, FlopRate> MatrixPeaks { get; init; } = new Dictionary<Precision, FlopRate>();

    /// <summary>Dense peaks of the vector units.</summary>
    public IReadOnlyDictionary<Precision, FlopRate> VectorPeaks { get; init; } = new Dictionary<Precision, FlopRate>();

    /// <summary>Scale-up link, PCIe and network.</summary>
    public InterconnectSpec Interconnect { get; init; } = InterconnectSpec.None;

    /// <summary>How dense figures were obtained (e.g. "datasheet quotes sparse; halved").</summary>
    public string Sparsity { get; init; } = "";

    /// <summary>Where the figures come from; each names the sections it covers.</summary>
    public IReadOnlyList<SourceReference> Sources { get; init; } = [];

    /// <summary>"verified" (checked against the cited source), "unverified", or "measured" / "custom" for user files.</summary>
    public string Confidence { get; init; } = "unverified";

    /// <summary>Caveats and the reasoning where tools disagree.</summary>
    public string Notes { get; init; } = "";

    /// <summary>"built-in" or the path of the custom file the device came from.</summary>
    public string Origin { get; init; } = "built-in";

    /// <summary>The dense peak of one unit for one precision, or null when the device has none.</summary>
    public FlopRate? Peak(Precision precision, ComputeUnit unit) =>
        (unit == ComputeUnit.Matrix ? MatrixPeaks : VectorPeaks).TryGetValue(precision, out var rate) ? rate : null;

    /// <summary>The larger of the matrix and vector peak for a precision (what a well-written kernel can reach), or null.</summary>
    public FlopRate? BestPeak(Precision precision)
    {
        var m = Peak(precision, ComputeUnit.Matrix);
        var v = Peak(precision, ComputeUnit.Vector);
        return m is null ? v : v is null ? m : (m.Value.PerSecond >= v.Value.PerSecond ? m : v);
    }

    /// <summary>The sources covering a section ("compute", "memory", "onChip", "interconnect"), as "title (url)" joined by "; ".</summary>
    public string SourceFor(string section) => string.Join("; ", Sources
        .Where(s => s.Covers.Contains(section, StringComparer.OrdinalIgnoreCase))
        .Select(s => s.Url.Length > 0 ? $"{s.Title} ({s.Url})" : s.Title));
}

/// <summary>A document the figures come from.</summary>
/// <param name="Title">Datasheet or whitepaper title.</param>
/// <param name="Url">Address, or "" when none.</param>
/// <param name="Covers">Sections it supports: "compute", "memory", "onChip", "interconnect".</param>
public sealed record SourceReference(string Title, string Url, IReadOnlyList<string> Covers);

/// <summary>Links between devices and to the host. Bandwidths are bidirectional totals per device, as vendors quote them.</summary>
/// <param name="ScaleUp">"NVLink 4 (18 links)", "Infinity Fabric", "ICI", or "" when none.</param>
/// <param name="ScaleUpBandwidth">Bidirectional scale-up bandwidth per device; null when none.</param>
/// <param name="PcieGeneration">PCIe generation of the host link; null when unknown or not PCIe.</param>
/// <param name="PcieBandwidth">Bidirectional host-link bandwidth (x16 Gen5 = 128 GB/s); null when unknown.</param>
/// <param name="Network">Typical scale-out network per device, free text; "" when not standard.</param>
public sealed record InterconnectSpec(string ScaleUp, Bandwidth? ScaleUpBandwidth, int? PcieGeneration, Bandwidth? PcieBandwidth, string Network)
{
    /// <summary>No interconnect information.</summary>
    public static InterconnectSpec None { get; } = new("", null, null, null, "");

    /// <summary>Scale-up bandwidth in one direction (half the bidirectional figure), the figure NCCL bus bandwidth compares with.</summary>
    public Bandwidth? ScaleUpPerDirection => ScaleUpBandwidth is { } b ? new Bandwidth(b.BytesPerSecond / 2) : null;
}

/// <summary>
/// Which trace metadata identifies a device. Names are case-insensitive regular expressions over deviceProperties.name;
/// weak names are generic marketing names ("AMD Radeon Graphics") accepted only when the counts agree.
/// Null constraints are not checked.
/// </summary>
public sealed record DeviceMatchRule(IReadOnlyList<Regex> Names, IReadOnlyList<Regex> WeakNames, int? Multiprocessors,
    double? MinMemoryGiB, double? MaxMemoryGiB, string? ComputeCapability)
{
    /// <summary>Matches nothing by name.</summary>
    public static DeviceMatchRule None { get; } = new([], [], null, null, null, null);

    /// <summary>True when the rule constrains SM count, memory or compute capability.</summary>
    public bool HasCounts => Multiprocessors is not null || MinMemoryGiB is not null || ComputeCapability is not null;
}
