using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Headroom.Hardware;

/// <summary>The result of loading a catalog: the catalog, or one line naming the file and the problem.</summary>
/// <param name="Catalog">The catalog; null when <paramref name="Error"/> is set.</param>
/// <param name="Error">"FILE: devices[2] (id 'x').memory.bandwidthTBps: ..." or null.</param>
/// <param name="Replaced">Ids of built-in devices the custom file replaced.</param>
/// <param name="Added">Ids the custom file added.</param>
public sealed record HardwareCatalogLoad(HardwareCatalog? Catalog, string? Error, IReadOnlyList<string> Replaced, IReadOnlyList<string> Added);

/// <summary>
/// The devices Headroom knows: the built-in <c>catalog.json</c> (embedded), optionally merged with a custom file
/// (<c>--hardware-file</c>) whose devices replace built-in ones with the same id and add the rest.
/// </summary>
public sealed class HardwareCatalog
{
    private const string ResourceName = "Headroom.Hardware.catalog.json";
    private static readonly Lazy<HardwareCatalog> BuiltInCatalog = new(LoadBuiltIn);

    private HardwareCatalog(IReadOnlyList<DeviceSpec> devices) => Devices = devices;

    /// <summary>Devices in catalog order (built-in order, then added custom devices).</summary>
    public IReadOnlyList<DeviceSpec> Devices { get; }

    /// <summary>The embedded catalog. A broken embedded file is a build defect: it throws, and a test guards it.</summary>
    public static HardwareCatalog BuiltIn => BuiltInCatalog.Value;

    /// <summary>The built-in catalog, merged with <paramref name="customFile"/> when given.</summary>
    public static HardwareCatalogLoad Load(string? customFile = null)
    {
        if (string.IsNullOrEmpty(customFile))
        {
            return new HardwareCatalogLoad(BuiltIn, null, [], []);
        }

        string text;
        try
        {
            text = File.ReadAllText(customFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new HardwareCatalogLoad(null, $"{customFile}: cannot read the hardware file: {OneLine(e.Message)}", [], []);
        }

        var parsed = Parse(text, customFile);
        return parsed.Catalog is null ? parsed : BuiltIn.MergedWith(parsed.Catalog.Devices);
    }

    /// <summary>Parses catalog JSON; <paramref name="origin"/> names it in errors and in <see cref="DeviceSpec.Origin"/>.</summary>
    public static HardwareCatalogLoad Parse(string json, string origin)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var devices = CatalogReader.ReadRoot(doc.RootElement, origin);
            return new HardwareCatalogLoad(new HardwareCatalog(devices), null, [], []);
        }
        catch (JsonException e)
        {
            return new HardwareCatalogLoad(null, $"{origin}: not valid JSON: {OneLine(e.Message)}", [], []);
        }
        catch (CatalogFormatException e)
        {
            return new HardwareCatalogLoad(null, $"{origin}: {e.Message}", [], []);
        }
    }

    /// <summary>This catalog with <paramref name="overrides"/> replacing devices of the same id (in place) and the others appended.</summary>
    public HardwareCatalogLoad MergedWith(IEnumerable<DeviceSpec> overrides)
    {
        var list = Devices.ToList();
        var replaced = new List<string>();
        var added = new List<string>();
        foreach (var device in overrides)
        {
            var at = list.FindIndex(d => string.Equals(d.Id, device.Id, StringComparison.OrdinalIgnoreCase));
            if (at >= 0)
            {
                list[at] = device;
                replaced.Add(device.Id);
            }
            else
            {
                list.Add(device);
                added.Add(device.Id);
            }
        }

        return new HardwareCatalogLoad(new HardwareCatalog(list), null, replaced, added);
    }

    /// <summary>
    /// The device named <paramref name="name"/> (<c>--hardware NAME</c>): its id, name or an alias, ignoring case, spaces and
    /// punctuation ("h100 sxm" = "H100-SXM"); else the one device whose name patterns match it ("NVIDIA H100 80GB HBM3").
    /// Null when none or several match.
    /// </summary>
    public DeviceSpec? Find(string name)
    {
        var key = Normalize(name);
        if (key.Length == 0)
        {
            return null;
        }

        foreach (var d in Devices)
        {
            if (Normalize(d.Id) == key || Normalize(d.Name) == key || d.Aliases.Any(a => Normalize(a) == key))
            {
                return d;
            }
        }

        var byPattern = Devices.Where(d => d.Match.Names.Any(r => r.IsMatch(name.Trim()))).Take(2).ToList();
        return byPattern.Count == 1 ? byPattern[0] : null;
    }

    /// <summary>Lower-case letters and digits only.</summary>
    internal static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }

        return sb.ToString();
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static HardwareCatalog LoadBuiltIn()
    {
        using var stream = typeof(HardwareCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var load = Parse(reader.ReadToEnd(), "built-in");
        return load.Catalog ?? throw new InvalidOperationException(load.Error);
    }
}

/// <summary>A problem in a catalog file; the message starts with the JSON path.</summary>
internal sealed class CatalogFormatException(string message) : Exception(message);

/// <summary>Reads and validates catalog JSON (schema in docs/hardware.md).</summary>
internal static class CatalogReader
{
    internal static readonly string[] Sections = ["compute", "memory", "onChip", "interconnect"];
    internal static readonly string[] Confidences = ["verified", "unverified", "measured", "custom"];

    private static readonly string[] RootKeys = ["schemaVersion", "conventions", "devices"];
    private static readonly string[] DeviceKeys =
    [
        "id", "name", "vendor", "architecture", "aliases", "match", "multiprocessors", "boostClockMHz", "visibleDevicesPerPackage",
        "memory", "onChip", "matrixTflops", "vectorTflops", "interconnect", "sparsity", "sources", "confidence", "notes",
    ];

    private static readonly string[] MatchKeys = ["names", "weakNames", "multiprocessors", "memoryGiB", "computeCapability"];
    private static readonly string[] MemoryKeys = ["type", "capacityGiB", "bandwidthTBps"];
    private static readonly string[] InterconnectKeys = ["scaleUp", "scaleUpGBps", "pcieGeneration", "pcieGBps", "network"];
    private static readonly string[] SourceKeys = ["title", "url", "covers"];

    private static readonly Dictionary<string, Precision> Precisions = new(StringComparer.Ordinal)
    {
        ["fp64"] = Precision.Fp64,
        ["fp32"] = Precision.Fp32,
        ["tf32"] = Precision.Tf32,
        ["bf16"] = Precision.Bf16,
        ["fp16"] = Precision.Fp16,
        ["fp8"] = Precision.Fp8,
        ["int8"] = Precision.Int8,
        ["fp4"] = Precision.Fp4,
    };

    public static List<DeviceSpec> ReadRoot(JsonElement root, string origin)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CatalogFormatException("the top level must be an object with a \"devices\" array");
        }

        CheckKeys(root, RootKeys, "");
        if (root.TryGetProperty("schemaVersion", out var version) && (version.ValueKind != JsonValueKind.Number || version.GetDouble() != 1))
        {
            throw new CatalogFormatException("schemaVersion: only version 1 is supported");
        }

        if (!root.TryGetProperty("devices", out var devices) || devices.ValueKind != JsonValueKind.Array)
        {
            throw new CatalogFormatException("devices: required, an array of device objects");
        }

        var result = new List<DeviceSpec>();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        foreach (var element in devices.EnumerateArray())
        {
            var path = $"devices[{index}]";
            if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String)
            {
                path += $" (id '{idElement.GetString()}')";
            }

            var device = ReadDevice(element, path, origin);
            if (!ids.Add(device.Id))
            {
                throw new CatalogFormatException($"{path}.id: duplicate id '{device.Id}'");
            }

            result.Add(device);
            index++;
        }

        return result;
    }

    private static DeviceSpec ReadDevice(JsonElement e, string path, string origin)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new CatalogFormatException($"{path}: must be an object");
        }

        CheckKeys(e, DeviceKeys, path);
        var id = RequiredString(e, "id", path);
        if (!Regex.IsMatch(id, "^[A-Za-z0-9][A-Za-z0-9._-]*$"))
        {
            throw new CatalogFormatException($"{path}.id: '{id}' must be letters, digits, '.', '_' or '-'");
        }

        var memory = Object(e, "memory", path, required: true)!.Value;
        CheckKeys(memory, MemoryKeys, $"{path}.memory");
        var capacity = Number(memory, "capacityGiB", $"{path}.memory", 0.001, 100_000, "GiB", required: true)!.Value;
        var bandwidth = Number(memory, "bandwidthTBps", $"{path}.memory", 0.01, 100, "TB/s", required: true)!.Value;

        var matrix = Peaks(e, "matrixTflops", path);
        var vector = Peaks(e, "vectorTflops", path);
        if (!new[] { Precision.Bf16, Precision.Fp16, Precision.Fp32 }.Any(p => matrix.ContainsKey(p) || vector.ContainsKey(p)))
        {
            throw new CatalogFormatException($"{path}: needs at least one bf16, fp16 or fp32 peak in matrixTflops or vectorTflops");
        }

        var onChip = OnChip(e, path);
        var interconnect = Interconnect(e, path);
        var sources = Sources(e, path);
        var needed = new List<string> { "compute", "memory" };
        if (onChip.Count > 0)
        {
            needed.Add("onChip");
        }

        if (interconnect != InterconnectSpec.None)
        {
            needed.Add("interconnect");
        }

        foreach (var section in needed)
        {
            if (!sources.Any(s => s.Covers.Contains(section, StringComparer.OrdinalIgnoreCase)))
            {
                throw new CatalogFormatException($"{path}.sources: no source covers \"{section}\" (every figure must name its source)");
            }
        }

        var confidence = OptionalString(e, "confidence", path) ?? "unverified";
        if (!Confidences.Contains(confidence, StringComparer.Ordinal))
        {
            throw new CatalogFormatException($"{path}.confidence: '{confidence}' must be one of {string.Join(", ", Confidences)}");
        }

        return new DeviceSpec
        {
            Id = id,
            Name = RequiredString(e, "name", path),
            Vendor = OptionalString(e, "vendor", path) ?? "",
            Architecture = OptionalString(e, "architecture", path) ?? "",
            Aliases = StringArray(e, "aliases", path),
            Match = Match(e, path),
            Multiprocessors = (int)Number(e, "multiprocessors", path, 1, 100_000, "count", required: true, integer: true)!.Value,
            BoostClockMHz = Number(e, "boostClockMHz", path, 100, 10_000, "MHz"),
            VisibleDevicesPerPackage = (int)(Number(e, "visibleDevicesPerPackage", path, 1, 64, "count", integer: true) ?? 1),
            MemoryType = OptionalString(memory, "type", $"{path}.memory") ?? "",
            MemoryCapacity = ByteSize.FromGibibytes(capacity),
            MemoryBandwidth = Bandwidth.FromTerabytes(bandwidth),
            OnChip = onChip,
            MatrixPeaks = matrix,
            VectorPeaks = vector,
            Interconnect = interconnect,
            Sparsity = OptionalString(e, "sparsity", path) ?? "",
            Sources = sources,
            Confidence = confidence,
            Notes = OptionalString(e, "notes", path) ?? "",
            Origin = origin,
        };
    }

    private static Dictionary<Precision, FlopRate> Peaks(JsonElement e, string key, string path)
    {
        var result = new Dictionary<Precision, FlopRate>();
        if (Object(e, key, path) is not { } peaks)
        {
            return result;
        }

        foreach (var p in peaks.EnumerateObject())
        {
            if (!Precisions.TryGetValue(p.Name, out var precision))
            {
                throw new CatalogFormatException($"{path}.{key}.{p.Name}: unknown precision (use {string.Join(", ", Precisions.Keys)})");
            }

            result[precision] = FlopRate.FromTera(Number(peaks, p.Name, $"{path}.{key}", 0.001, 100_000, "TFLOP/s", required: true)!.Value);
        }

        return result;
    }

    private static Dictionary<string, ByteSize> OnChip(JsonElement e, string path)
    {
        var result = new Dictionary<string, ByteSize>(StringComparer.Ordinal);
        if (Object(e, "onChip", path) is not { } onChip)
        {
            return result;
        }

        foreach (var p in onChip.EnumerateObject())
        {
            var value = Number(onChip, p.Name, $"{path}.onChip", 0.001, 1_000_000, "size", required: true)!.Value;
            if (p.Name.EndsWith("MiB", StringComparison.Ordinal) && p.Name.Length > 3)
            {
                result[p.Name[..^3]] = ByteSize.FromMebibytes(value);
            }
            else if (p.Name.EndsWith("KiB", StringComparison.Ordinal) && p.Name.Length > 3)
            {
                result[p.Name[..^3]] = ByteSize.FromKibibytes(value);
            }
            else
            {
                throw new CatalogFormatException($"{path}.onChip.{p.Name}: the name must end with its unit, KiB or MiB (e.g. \"l2MiB\")");
            }
        }

        return result;
    }

    private static InterconnectSpec Interconnect(JsonElement e, string path)
    {
        if (Object(e, "interconnect", path) is not { } ic)
        {
            return InterconnectSpec.None;
        }

        var p = $"{path}.interconnect";
        CheckKeys(ic, InterconnectKeys, p);
        var scaleUp = Number(ic, "scaleUpGBps", p, 0.1, 1_000_000, "GB/s");
        var pcie = Number(ic, "pcieGBps", p, 0.1, 10_000, "GB/s");
        var generation = Number(ic, "pcieGeneration", p, 1, 10, "generation", integer: true);
        var spec = new InterconnectSpec(OptionalString(ic, "scaleUp", p) ?? "", scaleUp is { } s ? Bandwidth.FromGigabytes(s) : null,
            generation is { } g ? (int)g : null, pcie is { } b ? Bandwidth.FromGigabytes(b) : null, OptionalString(ic, "network", p) ?? "");
        return spec == InterconnectSpec.None ? InterconnectSpec.None : spec;
    }

    private static List<SourceReference> Sources(JsonElement e, string path)
    {
        if (!e.TryGetProperty("sources", out var sources) || sources.ValueKind != JsonValueKind.Array || sources.GetArrayLength() == 0)
        {
            throw new CatalogFormatException($"{path}.sources: required, a non-empty array of {{\"title\", \"url\", \"covers\"}}");
        }

        var result = new List<SourceReference>();
        var i = 0;
        foreach (var s in sources.EnumerateArray())
        {
            var p = $"{path}.sources[{i++}]";
            if (s.ValueKind != JsonValueKind.Object)
            {
                throw new CatalogFormatException($"{p}: must be an object");
            }

            CheckKeys(s, SourceKeys, p);
            var covers = StringArray(s, "covers", p);
            if (covers.Count == 0)
            {
                throw new CatalogFormatException($"{p}.covers: required, some of {string.Join(", ", Sections)}");
            }

            foreach (var c in covers.Where(c => !Sections.Contains(c, StringComparer.Ordinal)))
            {
                throw new CatalogFormatException($"{p}.covers: '{c}' is not one of {string.Join(", ", Sections)}");
            }

            result.Add(new SourceReference(RequiredString(s, "title", p), OptionalString(s, "url", p) ?? "", covers));
        }

        return result;
    }

    private static DeviceMatchRule Match(JsonElement e, string path)
    {
        if (Object(e, "match", path) is not { } m)
        {
            return DeviceMatchRule.None;
        }

        var p = $"{path}.match";
        CheckKeys(m, MatchKeys, p);
        double? min = null, max = null;
        if (m.TryGetProperty("memoryGiB", out var range))
        {
            if (range.ValueKind != JsonValueKind.Array || range.GetArrayLength() != 2 || range[0].ValueKind != JsonValueKind.Number
                || range[1].ValueKind != JsonValueKind.Number || range[0].GetDouble() <= 0 || range[0].GetDouble() > range[1].GetDouble())
            {
                throw new CatalogFormatException($"{p}.memoryGiB: must be [min, max] in GiB with 0 < min <= max");
            }

            (min, max) = (range[0].GetDouble(), range[1].GetDouble());
        }

        var sms = Number(m, "multiprocessors", p, 1, 100_000, "count", integer: true);
        return new DeviceMatchRule(Patterns(m, "names", p), Patterns(m, "weakNames", p), sms is { } n ? (int)n : null, min, max,
            OptionalString(m, "computeCapability", p));
    }

    private static List<Regex> Patterns(JsonElement m, string key, string path)
    {
        var result = new List<Regex>();
        foreach (var pattern in StringArray(m, key, path))
        {
            try
            {
                result.Add(new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(200)));
            }
            catch (ArgumentException ex)
            {
                throw new CatalogFormatException($"{path}.{key}: '{pattern}' is not a valid regular expression ({ex.Message.ReplaceLineEndings(" ")})");
            }
        }

        return result;
    }

    private static void CheckKeys(JsonElement e, string[] allowed, string path)
    {
        foreach (var p in e.EnumerateObject())
        {
            if (!allowed.Contains(p.Name, StringComparer.Ordinal))
            {
                var where = path.Length == 0 ? p.Name : $"{path}.{p.Name}";
                throw new CatalogFormatException($"{where}: unknown field (expected one of {string.Join(", ", allowed)})");
            }
        }
    }

    private static JsonElement? Object(JsonElement e, string key, string path, bool required = false)
    {
        if (!e.TryGetProperty(key, out var v))
        {
            return required ? throw new CatalogFormatException($"{path}.{key}: required") : null;
        }

        return v.ValueKind == JsonValueKind.Object ? v : throw new CatalogFormatException($"{path}.{key}: must be an object");
    }

    private static string RequiredString(JsonElement e, string key, string path) =>
        OptionalString(e, key, path) is { Length: > 0 } s ? s : throw new CatalogFormatException($"{path}.{key}: required, a non-empty string");

    private static string? OptionalString(JsonElement e, string key, string path)
    {
        if (!e.TryGetProperty(key, out var v))
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString()!.Trim() : throw new CatalogFormatException($"{path}.{key}: must be a string");
    }

    private static List<string> StringArray(JsonElement e, string key, string path)
    {
        if (!e.TryGetProperty(key, out var v))
        {
            return [];
        }

        if (v.ValueKind != JsonValueKind.Array || v.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String || x.GetString()!.Length == 0))
        {
            throw new CatalogFormatException($"{path}.{key}: must be an array of non-empty strings");
        }

        return v.EnumerateArray().Select(x => x.GetString()!).ToList();
    }

    private static double? Number(JsonElement e, string key, string path, double min, double max, string unit, bool required = false, bool integer = false)
    {
        if (!e.TryGetProperty(key, out var v))
        {
            return required ? throw new CatalogFormatException($"{path}.{key}: required") : null;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var x) || !double.IsFinite(x))
        {
            throw new CatalogFormatException($"{path}.{key}: must be a number");
        }

        if (x < min || x > max || (integer && x != Math.Floor(x)))
        {
            var range = string.Create(CultureInfo.InvariantCulture, $"{min:G}..{max:G}");
            throw new CatalogFormatException(string.Create(CultureInfo.InvariantCulture,
                $"{path}.{key}: {x:G} is outside the sane range {range} ({unit}{(integer ? ", whole number" : "")})"));
        }

        return x;
    }
}
