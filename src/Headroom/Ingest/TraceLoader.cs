using System.IO.Compression;
using System.Text.RegularExpressions;
using Headroom.Ingest.ChromeTrace;
using Headroom.Model;

namespace Headroom.Ingest;

/// <summary>How to load.</summary>
/// <param name="MaxParallelism">Files read at once; defaults to the processor count.</param>
/// <param name="ReadAhead">Decompress gzip on a second thread while parsing (both cores for one file).</param>
public sealed record LoadOptions(int MaxParallelism = 0, bool ReadAhead = true);

/// <summary>The outcome of <see cref="TraceLoader.LoadEach{T}"/>: one result per file in rank order, or the fatal problems.</summary>
/// <param name="Results">Per-file results sorted by rank; null when an input was unusable.</param>
/// <param name="Diagnostics">Everything noticed while loading.</param>
/// <param name="Errors">Fatal problems (empty on success).</param>
public sealed record LoadEachResult<T>(IReadOnlyList<T>? Results, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<Diagnostic> Errors);

/// <summary>The outcome of a load: the run when at least the inputs could be read, and every problem found.</summary>
/// <param name="Run">The loaded job; null when an input was unusable.</param>
/// <param name="Errors">Fatal problems, one per unusable input (empty on success).</param>
public sealed record LoadResult(TraceRun? Run, IReadOnlyList<Diagnostic> Errors);

/// <summary>
/// Turns paths (trace files, or folders holding one trace per rank) into a <see cref="TraceRun"/>:
/// detects each file's format by content, reads files in parallel, and assigns rank ids.
/// </summary>
public static partial class TraceLoader
{
    /// <summary>Loads <paramref name="paths"/>, keeping every rank in memory.</summary>
    public static LoadResult Load(IReadOnlyList<string> paths, LoadOptions? options = null, LoadProgress? progress = null)
    {
        var each = LoadEach(paths, t => t, (t, rank, source) => t.WithRank(rank, source), options, progress);
        return each.Results is null
            ? new LoadResult(null, each.Errors)
            : new LoadResult(new TraceRun(each.Results, each.Diagnostics), []);
    }

    /// <summary>
    /// Reads each file (files in parallel), freezes it, hands it to <paramref name="reduce"/> and lets it go: memory holds
    /// at most one rank per core plus what <paramref name="reduce"/> keeps. Rank ids are settled once every file has been
    /// read (a file without a declared rank takes the first free id); <paramref name="relabel"/> then gives each result
    /// its final id. <paramref name="reduce"/> sees the declared rank, or -1 when the file declares none.
    /// </summary>
    public static LoadEachResult<T> LoadEach<T>(IReadOnlyList<string> paths, Func<RankTrace, T> reduce, Func<T, int, RankSource, T> relabel,
        LoadOptions? options = null, LoadProgress? progress = null)
    {
        options ??= new LoadOptions();
        progress ??= new LoadProgress();
        var diagnostics = new DiagnosticBag();
        var errors = new List<Diagnostic>();
        var files = ExpandPaths(paths, diagnostics, errors);
        if (errors.Count > 0)
        {
            return new LoadEachResult<T>(null, [], errors);
        }

        foreach (var f in files)
        {
            progress.AddTotal(SafeLength(f));
        }

        // One file is one rank, except an XSpace whose host drove several devices: one rank per active device.
        var perFile = new List<(T Result, DistributedInfo? Declared, IReadOnlyList<Diagnostic> Diagnostics)>[files.Count];
        var fatals = new Diagnostic?[files.Count];
        var parallel = options.MaxParallelism > 0 ? options.MaxParallelism : Environment.ProcessorCount;
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, i =>
        {
            var (contents, fatal) = ReadContents(files[i], options.ReadAhead && files.Count < parallel, progress);
            if (contents is null)
            {
                fatals[i] = fatal;
                return;
            }

            perFile[i] = [];
            foreach (var content in contents)
            {
                var trace = content.Builder.Build(content.Distributed?.Rank ?? -1, RankSource.FileOrder, files[i], content.Metadata, content.Devices,
                    content.Distributed, content.BaseTimeNanoseconds, content.BytesRead, content.Truncated);
                perFile[i].Add((reduce(trace), content.Distributed, FileDiagnostics(trace, content.Builder.Diagnostics)));
            }
        });

        errors.AddRange(fatals.Where(f => f is not null).Select(f => f!));
        if (errors.Count > 0)
        {
            return new LoadEachResult<T>(null, [], errors);
        }

        var entries = Enumerable.Range(0, files.Count)
            .SelectMany(i => perFile[i].Select(e => (File: files[i], e.Result, e.Declared, e.Diagnostics, Device: perFile[i].Count > 1))).ToList();
        var results = entries.Select(e => e.Result).ToArray();
        var declared = entries.Select(e => e.Declared).ToArray();
        var fileDiagnostics = entries.Select(e => e.Diagnostics).ToList();
        files = [.. entries.Select(e => e.File)];
        var ranks = AssignRanks(files, declared, [.. entries.Select(e => e.Device)], diagnostics, errors);
        if (errors.Count > 0)
        {
            return new LoadEachResult<T>(null, [], errors);
        }

        foreach (var d in fileDiagnostics)
        {
            diagnostics.AddRange(d);
        }

        var order = Enumerable.Range(0, files.Count).OrderBy(i => ranks[i].Rank).ToArray();
        return new LoadEachResult<T>([.. order.Select(i => relabel(results[i], ranks[i].Rank, ranks[i].Source))], diagnostics.ToList(), []);
    }

    /// <summary>The reader's diagnostics for one file, plus what its content lacks.</summary>
    private static List<Diagnostic> FileDiagnostics(RankTrace t, DiagnosticBag read)
    {
        var bag = new DiagnosticBag();
        bag.AddRange(read.ToList().Select(d => d with { File = d.File ?? t.SourcePath }));
        if (t.Gpu.Count == 0 || !HasActivity(t))
        {
            if (t.Gpu.Count > 0 && t.Census.Rows.Any(r => r.Category == "cuda_profiler_range"))
            {
                bag.Report(DiagnosticCatalog.CuptiRangeMode, "the trace holds CUPTI profiler ranges instead of kernel events", t.SourcePath);
            }
            else
            {
                bag.Report(DiagnosticCatalog.NoGpuEvents, "", t.SourcePath);
            }
        }

        if (t.Devices.Count == 0)
        {
            bag.Report(DiagnosticCatalog.NoDeviceProperties, "", t.SourcePath);
        }

        return [.. bag.ToList()];
    }

    private static bool HasActivity(RankTrace t)
    {
        for (var i = 0; i < t.Gpu.Count; i++)
        {
            if (t.Gpu.IsActivity(i))
            {
                return true;
            }
        }

        return false;
    }

    private static long SafeLength(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Files to read: each file path as given, and the regular files of each folder in natural name order.</summary>
    private static List<string> ExpandPaths(IReadOnlyList<string> paths, DiagnosticBag diagnostics, List<Diagnostic> errors)
    {
        var files = new List<string>();
        if (paths.Count == 0)
        {
            errors.Add(new Diagnostic(DiagnosticCatalog.NoTraces, 1, "no input paths were given", null));
        }

        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                List<string> inFolder;
                try
                {
                    inFolder = [.. Directory.EnumerateFiles(path).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(NaturalComparer.Instance)];
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    errors.Add(new Diagnostic(DiagnosticCatalog.FileUnreadable, 1, $"cannot list the folder: {e.Message}", path));
                    continue;
                }

                var traces = inFolder.Where(f => LooksLikeTraceFile(f, diagnostics)).ToList();
                if (traces.Count == 0)
                {
                    errors.Add(new Diagnostic(DiagnosticCatalog.NoTraces, 1, "the folder holds no trace files", path));
                }

                files.AddRange(traces);
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                errors.Add(new Diagnostic(DiagnosticCatalog.FileUnreadable, 1, "no such file or folder", path));
            }
        }

        return files;
    }

    private static bool LooksLikeTraceFile(string file, DiagnosticBag diagnostics)
    {
        try
        {
            var format = TraceFormatDetector.Detect(file);
            // A damaged trace in a rank folder must fail loudly, not vanish: anything gzip or JSON-like is read.
            if (format.Format is TraceFormat.ChromeTrace or TraceFormat.XPlane or TraceFormat.CorruptGzip or TraceFormat.Empty || format.Gzip)
            {
                return true;
            }

            diagnostics.Report(DiagnosticCatalog.SkippedFile,
                $"skipped {Path.GetFileName(file)}: {format.Description}", file);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true; // reading it will report the error
        }
    }

    /// <summary>The ranks one file holds: one, or for an XSpace one per device with activity.</summary>
    internal static (IReadOnlyList<ChromeTraceContent>? Contents, Diagnostic? Fatal) ReadContents(string path, bool readAhead, LoadProgress progress)
    {
        try
        {
            if (TraceFormatDetector.Detect(path).Format == TraceFormat.XPlane)
            {
                return ReadXSpace(path, progress, perDevice: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, new Diagnostic(DiagnosticCatalog.FileUnreadable, 1, $"cannot read the file: {e.Message}", path));
        }

        var (content, fatal) = ReadFile(path, readAhead, progress);
        return content is null ? (null, fatal) : ([content], null);
    }

    /// <summary>Reads one trace file into a builder; a fatal diagnostic when it cannot be used.</summary>
    internal static (ChromeTraceContent? Content, Diagnostic? Fatal) ReadFile(string path, bool readAhead, LoadProgress progress)
    {
        DetectedFormat format;
        try
        {
            format = TraceFormatDetector.Detect(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, new Diagnostic(DiagnosticCatalog.FileUnreadable, 1, $"cannot read the file: {e.Message}", path));
        }

        switch (format.Format)
        {
            case TraceFormat.Empty:
                return (null, new Diagnostic(DiagnosticCatalog.FileEmpty, 1, format.Description == "empty file" ? "the file is empty" : $"the file is empty ({format.Description})", path));
            case TraceFormat.CorruptGzip:
                return (null, new Diagnostic(DiagnosticCatalog.GzipCorrupt, 1, "the gzip data is corrupt: nothing could be decompressed", path));
            case TraceFormat.Unknown:
                return (null, new Diagnostic(DiagnosticCatalog.UnknownFormat, 1, $"not a trace: {format.Description}", path));
            case TraceFormat.XPlane:
                var (xspace, error) = ReadXSpace(path, progress, perDevice: false);
                return (xspace?[0], error);
            case TraceFormat.Sqlite or TraceFormat.RocprofJson:
                return (null, new Diagnostic(DiagnosticCatalog.FormatNotSupported, 1, $"{format.Description} is not supported yet", path));
            default:
                break;
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
            Stream stream = new ProgressStream(file, progress);
            if (format.Gzip)
            {
                stream = new GZipStream(stream, CompressionMode.Decompress);
            }

            if (readAhead && format.Gzip)
            {
                stream = new ReadAheadStream(stream);
            }

            using (stream)
            {
                return ChromeTraceReader.Read(stream, path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, new Diagnostic(DiagnosticCatalog.FileUnreadable, 1, $"cannot read the file: {e.Message}", path));
        }
    }

    /// <summary>Reads an XSpace protobuf plane by plane (planes up to 2 GiB each) and maps it (docs/model.md, "XPlane").</summary>
    private static (IReadOnlyList<ChromeTraceContent>? Contents, Diagnostic? Fatal) ReadXSpace(string path, LoadProgress progress, bool perDevice)
    {
        try
        {
            // Plane by plane: memory is the largest plane plus the model, not the file.
            var source = new XPlane.FileXSpaceSource(path);
            var contents = perDevice ? XPlane.XSpaceReader.ReadPerDevice(source, path) : [XPlane.XSpaceReader.Read(source, path)];
            progress.Advance(source.Length);
            return (contents, null);
        }
        catch (XPlane.ProtoFormatException e)
        {
            return (null, new Diagnostic(DiagnosticCatalog.InvalidProtobuf, 1, $"not a readable XSpace protobuf: {e.Message}", path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, new Diagnostic(DiagnosticCatalog.FileUnreadable, 1, $"cannot read the file: {e.Message}", path));
        }
    }

    [GeneratedRegex(@"(?:rank|worker)[-_]?(\d+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex RankInName();

    /// <summary>
    /// Rank of each file: distributedInfo.rank, else the file name, else the file's position (skipping ids already taken).
    /// The devices of one multi-device file (<paramref name="device"/>) take positions too, in device order, without a
    /// diagnostic: that is how such a file is read (docs/model.md, "XPlane").
    /// </summary>
    private static (int Rank, RankSource Source)[] AssignRanks(List<string> files, DistributedInfo?[] declared, bool[] device, DiagnosticBag diagnostics,
        List<Diagnostic> errors)
    {
        var duplicates = new List<(int File, int Claimed, string Other)>();
        var result = new (int Rank, RankSource Source)[files.Count];
        var claimedBy = new Dictionary<int, string>();
        for (var i = 0; i < files.Count; i++)
        {
            int? rank = declared[i]?.Rank;
            var source = RankSource.DistributedInfo;
            if (rank is null && !device[i])
            {
                var m = RankInName().Match(Path.GetFileName(files[i]));
                if (m.Success && int.TryParse(m.Groups[1].Value, out var r))
                {
                    rank = r;
                    source = RankSource.FileName;
                    diagnostics.Report(DiagnosticCatalog.RankFromFileName, $"rank {r} taken from the file name", files[i]);
                }
            }

            if (rank is int claimed)
            {
                if (claimedBy.TryGetValue(claimed, out var other))
                {
                    // Keep going: the later file takes the first free id, and the diagnostic says which.
                    duplicates.Add((i, claimed, other));
                    result[i] = (-1, RankSource.FileOrder);
                    continue;
                }

                claimedBy[claimed] = files[i];
                result[i] = (claimed, source);
            }
            else
            {
                result[i] = (-1, RankSource.FileOrder);
            }
        }

        var next = 0;
        for (var i = 0; i < files.Count; i++)
        {
            if (result[i].Source != RankSource.FileOrder)
            {
                continue;
            }

            while (claimedBy.ContainsKey(next))
            {
                next++;
            }

            result[i] = (next, device[i] ? RankSource.Device : RankSource.FileOrder);
            claimedBy[next] = files[i];
            if (files.Count > 1 && !device[i])
            {
                diagnostics.Report(DiagnosticCatalog.RankFromFileOrder, $"rank {next} assigned by input order", files[i]);
            }
        }

        foreach (var (file, claimed, other) in duplicates)
        {
            diagnostics.Report(DiagnosticCatalog.DuplicateRank,
                $"claims rank {claimed}, which {other} claims too; analysed as rank {result[file].Rank} (pass the files of one job, or pick one with --rank)",
                files[file]);
        }

        return result;
    }

    /// <summary>Orders "rank-2" before "rank-10".</summary>
    private sealed partial class NaturalComparer : IComparer<string>
    {
        public static readonly NaturalComparer Instance = new();

        [GeneratedRegex(@"\d+|\D+", RegexOptions.CultureInvariant)]
        private static partial Regex Chunks();

        public int Compare(string? x, string? y)
        {
            var a = Chunks().Matches(x ?? "");
            var b = Chunks().Matches(y ?? "");
            for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
            {
                int c;
                if (long.TryParse(a[i].Value, out var na) && long.TryParse(b[i].Value, out var nb))
                {
                    c = na.CompareTo(nb);
                }
                else
                {
                    c = string.CompareOrdinal(a[i].Value, b[i].Value);
                }

                if (c != 0)
                {
                    return c;
                }
            }

            return a.Count.CompareTo(b.Count);
        }
    }
}
