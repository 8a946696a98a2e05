using System.CommandLine;
using System.Globalization;
using Headroom.Hardware;
using Spectre.Console;

namespace Headroom.Cli.Commands;

/// <summary><c>headroom hardware list|show NAME [--hardware-file FILE]</c>: the hardware catalog (docs/hardware.md).</summary>
public static class HardwareCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Option<string?>("--hardware-file") { Description = "A JSON file of extra or corrected devices, merged over the built-in catalog." };
        var list = new Command("list", "List the devices in the catalog.") { file };
        list.SetAction(parse => Run(parse.GetValue(file), stderr, catalog => List(catalog, stdout)));
        var name = new Argument<string>("name") { Description = "Device id, name or alias, e.g. h100-sxm, \"NVIDIA H100 80GB HBM3\", mi300x." };
        var show = new Command("show", "Show every figure of one device, with its sources.") { name, file };
        show.SetAction(parse => Run(parse.GetValue(file), stderr, catalog =>
        {
            var query = parse.GetValue(name) ?? "";
            if (catalog.Find(query) is not { } spec)
            {
                stderr.WriteLine($"headroom: error: no device '{query}' in the catalog; see 'headroom hardware list'");
                return ExitCodes.BadInput;
            }

            return Show(spec, stdout);
        }));
        return new Command("hardware", "The hardware catalog: peak FLOP/s per dtype, memory and interconnect bandwidth, with sources.") { list, show };
    }

    private static int Run(string? file, TextWriter stderr, Func<HardwareCatalog, int> action)
    {
        var load = HardwareCatalog.Load(file);
        if (load.Catalog is null)
        {
            stderr.WriteLine($"headroom: error: {load.Error}");
            return ExitCodes.BadInput;
        }

        return action(load.Catalog);
    }

    private static IAnsiConsole Console(TextWriter writer) => (Rendering.TerminalCapabilities.Plain with { Width = 120 }).Console(writer);

    private static string Tflops(FlopRate? rate) => rate is { } r ? r.Tera.ToString("N1", CultureInfo.InvariantCulture) : "-";

    private static int List(HardwareCatalog catalog, TextWriter stdout)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var c in new[] { "Id", "Name", "BF16 TFLOP/s", "FP16 TFLOP/s", "FP32 TFLOP/s", "Memory TB/s", "Memory GiB", "Confidence" })
        {
            table.AddColumn(c);
        }

        foreach (var d in catalog.Devices)
        {
            table.AddRow(Markup.Escape(d.Id), Markup.Escape(d.Name), Tflops(d.BestPeak(Precision.Bf16)), Tflops(d.BestPeak(Precision.Fp16)), Tflops(d.BestPeak(Precision.Fp32)),
                d.MemoryBandwidth.Terabytes.ToString("N2", CultureInfo.InvariantCulture), d.MemoryCapacity.Gibibytes.ToString("N0", CultureInfo.InvariantCulture),
                Markup.Escape(d.Confidence));
        }

        Console(stdout).Write(table);
        stdout.WriteLine("Peaks are dense (no sparsity), decimal units (1 TFLOP/s = 1e12 FLOP/s, 1 TB/s = 1e12 B/s). 'headroom hardware show ID' gives sources.");
        return ExitCodes.Ok;
    }

    private static int Show(DeviceSpec d, TextWriter stdout)
    {
        stdout.WriteLine($"{d.Name} ({d.Id}) · {d.Vendor} {d.Architecture} · confidence {d.Confidence}");
        stdout.WriteLine($"Memory: {d.MemoryCapacity} {d.MemoryType} at {d.MemoryBandwidth} · {d.Multiprocessors} SMs/CUs"
            + (d.BoostClockMHz is { } mhz ? $" · boost {mhz.ToString("N0", CultureInfo.InvariantCulture)} MHz" : ""));
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("Precision");
        table.AddColumn("Matrix TFLOP/s");
        table.AddColumn("Vector TFLOP/s");
        foreach (var p in Enum.GetValues<Precision>())
        {
            var m = d.Peak(p, ComputeUnit.Matrix);
            var v = d.Peak(p, ComputeUnit.Vector);
            if (m is not null || v is not null)
            {
                table.AddRow(p.ToString().ToLowerInvariant(), Tflops(m), Tflops(v));
            }
        }

        Console(stdout).Write(table);
        if (d.Interconnect.ScaleUpBandwidth is { } up)
        {
            stdout.WriteLine($"Interconnect: {d.Interconnect.ScaleUp} {up} (both directions)"
                + (d.Interconnect.PcieBandwidth is { } pcie ? $" · PCIe gen {d.Interconnect.PcieGeneration} {pcie}" : ""));
        }

        foreach (var (name, size) in d.OnChip)
        {
            stdout.WriteLine($"On chip: {name} {size}");
        }

        stdout.WriteLine($"Sparsity: {d.Sparsity}");
        foreach (var s in d.Sources)
        {
            stdout.WriteLine($"Source: {s.Title} {s.Url} ({string.Join(", ", s.Covers)})");
        }

        if (d.Notes.Length > 0)
        {
            stdout.WriteLine($"Notes: {d.Notes}");
        }

        return ExitCodes.Ok;
    }
}
