namespace Headroom.Tests.Support;

/// <summary>Files of the repository itself (docs, schemas, the shipped sample), found from the test binary's folder upwards.</summary>
internal static class RepositoryFiles
{
    /// <summary>The repository file at <paramref name="relative"/> (e.g. <c>docs/diagnostics.md</c>).</summary>
    public static string File(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (System.IO.File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The shipped synthetic 2-rank H100 job, <c>samples/h100-2rank</c>.</summary>
    public static string Sample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "h100-2rank");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            "samples/h100-2rank is missing: regenerate it with `dotnet run -c Release --project bench/Headroom.Bench -- sample samples/h100-2rank`");
    }
}
