using Xunit;

namespace Headroom.Tests.Support;

/// <summary>
/// Locates the real traces in ../shared/data (override with HEADROOM_SHARED_DATA). Tests that need them call
/// <see cref="Require"/>: without the data they are skipped with a visible message, unless
/// HEADROOM_REQUIRE_SHARED_DATA=1 (set by .ci/run), in which case they fail.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> RootPath = new(FindRoot);

    /// <summary>The data folder, or null when it cannot be found.</summary>
    public static string? Root => RootPath.Value;

    /// <summary>The path of <paramref name="relative"/> under the data folder; skips (or fails in CI) when the data is absent.</summary>
    public static string Require(string relative = "")
    {
        var root = Root;
        if (root is null)
        {
            var message = "shared trace data not found: set HEADROOM_SHARED_DATA or place ../shared/data beside the repository";
            if (Environment.GetEnvironmentVariable("HEADROOM_REQUIRE_SHARED_DATA") == "1")
            {
                Assert.Fail(message);
            }

            Assert.Skip(message);
        }

        var path = Path.Combine(root!, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            Assert.Fail($"expected shared data file is missing: {path}");
        }

        return path;
    }

    /// <summary>Every Kineto job in traces/kineto as (reference name, path): single files, rank folders, and the two files of hta-diff-pair.</summary>
    public static IEnumerable<(string Name, string Path)> KinetoJobs()
    {
        var root = Root;
        if (root is null)
        {
            yield break;
        }

        var kineto = Path.Combine(root, "traces", "kineto");
        foreach (var dir in Directory.GetDirectories(kineto).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(dir) == "hta-diff-pair")
            {
                foreach (var f in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                {
                    yield return ("hta-diff-pair/" + TraceName(f), f);
                }
            }
            else
            {
                yield return (Path.GetFileName(dir), dir);
            }
        }

        foreach (var f in Directory.GetFiles(kineto).Order(StringComparer.Ordinal))
        {
            yield return (TraceName(f), f);
        }
    }

    private static string TraceName(string file)
    {
        var name = Path.GetFileName(file);
        return name.EndsWith(".json.gz", StringComparison.Ordinal) ? name[..^8] : name.EndsWith(".json", StringComparison.Ordinal) ? name[..^5] : name;
    }

    private static string? FindRoot()
    {
        var env = Environment.GetEnvironmentVariable("HEADROOM_SHARED_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "data");
            if (Directory.Exists(Path.Combine(candidate, "traces")))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }
}
