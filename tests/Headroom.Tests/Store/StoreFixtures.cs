using System.Diagnostics;
using System.Text.Json;
using Headroom.Analysis;
using Headroom.Analysis.Comparison;
using Headroom.Pipeline;
using Xunit;

namespace Headroom.Tests.Store;

/// <summary>A fresh store path in a temporary folder, deleted afterwards.</summary>
internal sealed class TempStore : IDisposable
{
    public TempStore()
    {
        Folder = Directory.CreateTempSubdirectory("headroom-store-test-").FullName;
        Path = System.IO.Path.Combine(Folder, "runs.db");
    }

    public string Folder { get; }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A killed child may still hold the file for a moment; the temp folder is cleaned by the OS.
        }
    }
}

/// <summary>Inputs and helpers shared by the store tests.</summary>
internal static class StoreFixtures
{
    /// <summary>A fresh analysis of <paramref name="paths"/> with the comparable tables, as <c>analyze --save</c> runs it.</summary>
    public static AnalysisResult Analyze(params string[] paths)
    {
        var outcome = AnalysisPipeline.AnalyzeFiles(paths, new AnalysisOptions(TopKernels: 25, TopOps: 10, Comparable: true));
        Assert.Empty(outcome.Errors);
        return outcome.Result!;
    }

    /// <summary>A comparable run as JSON: records holding lists compare by value this way.</summary>
    public static string Canonical(ComparableRun run) => JsonSerializer.Serialize(run);

    /// <summary>Starts <c>headroom ARGS</c> as a separate process (the CLI built beside the tests).</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "headroom.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }

        return Process.Start(info)!;
    }
}
