namespace Headroom.Bench;

/// <summary>Finds the real traces: HEADROOM_SHARED_DATA, else ../shared/data beside the repository (searched upwards from here and from the working directory).</summary>
internal static class SharedData
{
    public static string? Root()
    {
        var env = Environment.GetEnvironmentVariable("HEADROOM_SHARED_DATA");
        if (!string.IsNullOrEmpty(env))
        {
            return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        }

        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "..", "shared", "data");
                if (Directory.Exists(Path.Combine(candidate, "traces")))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        return null;
    }
}
