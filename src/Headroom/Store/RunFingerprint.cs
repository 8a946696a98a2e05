using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Headroom.Store;

/// <summary>One input file with its size and content hash.</summary>
/// <param name="Path">The path as given (or found in a given folder).</param>
/// <param name="Bytes">Size, bytes.</param>
/// <param name="Sha256">SHA-256 of the content, lower-case hex.</param>
public sealed record HashedFile(string Path, long Bytes, string Sha256);

/// <summary>
/// What decides whether a stored result can be reused: the inputs' content (not their names), the Headroom version, and
/// the options that change the report. Two analyses with the same <see cref="Key"/> produce the same report.
/// </summary>
/// <param name="Key">SHA-256 (hex) over the sorted input hashes and sizes, the version and the options.</param>
/// <param name="Files">The input files, hashed.</param>
public sealed record RunFingerprint(string Key, IReadOnlyList<HashedFile> Files)
{
    private const int BufferBytes = 1 << 20;

    /// <summary>
    /// Hashes the files <paramref name="paths"/> name (each file, and each non-hidden file of each folder) and builds the key.
    /// Null when a path cannot be read: the analysis then reports it.
    /// </summary>
    /// <param name="options">The options that change the report (conventions, steps, rank, hardware override, rows kept) as text.</param>
    /// <param name="hardwareFile">A catalog file merged over the built-in one, hashed into the key; null for none.</param>
    public static RunFingerprint? Compute(IReadOnlyList<string> paths, string toolVersion, string options, string? hardwareFile)
    {
        ArgumentNullException.ThrowIfNull(paths);
        try
        {
            var files = new List<string>();
            foreach (var p in paths)
            {
                if (Directory.Exists(p))
                {
                    files.AddRange(Directory.EnumerateFiles(p).Where(f => !System.IO.Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal));
                }
                else
                {
                    files.Add(p);
                }
            }

            var hashed = new HashedFile[files.Count];
            Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(4, Environment.ProcessorCount) },
                i => hashed[i] = Hash(files[i]));
            var text = new StringBuilder();
            text.Append("headroom-run-key-1\n").Append(toolVersion).Append('\n');
            text.Append("report-schema=").Append(Report.AnalyzeReport.CurrentSchemaVersion).Append('\n');
            text.Append(options).Append('\n');
            text.Append("hardware-file=").Append(hardwareFile is null ? "" : Hash(hardwareFile).Sha256).Append('\n');
            foreach (var f in hashed.OrderBy(f => f.Sha256, StringComparer.Ordinal).ThenBy(f => f.Bytes))
            {
                text.Append(CultureInfo.InvariantCulture, $"{f.Sha256} {f.Bytes}\n");
            }

            var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
            return new RunFingerprint(key, hashed);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is IOException or UnauthorizedAccessException))
        {
            return null;
        }
    }

    /// <summary>SHA-256 of a file's content, streamed through a 1 MiB buffer.</summary>
    public static HashedFile Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            long total = 0;
            int n;
            while ((n = stream.Read(buffer, 0, BufferBytes)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                total += n;
            }

            return new HashedFile(path, total, Convert.ToHexStringLower(sha.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
