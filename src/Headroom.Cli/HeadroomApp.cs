using System.CommandLine;
using Headroom.Cli.Commands;

namespace Headroom.Cli;

/// <summary>Exit codes of the command line.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary><c>headroom gate</c>: the candidate regressed (significantly and past the threshold).</summary>
    public const int Regressed = 1;
    /// <summary>Bad input: unusable trace, bad arguments.</summary>
    public const int BadInput = 2;
    /// <summary>An unexpected internal failure (a bug), kept apart from a gate's "regressed" so CI can tell them apart.</summary>
    public const int InternalError = 3;
}

/// <summary>The thin host: parses arguments, dispatches to a command worker, turns any failure into one line and an exit code.</summary>
public static class HeadroomApp
{
    /// <summary>Runs the command line with the given writers.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Headroom: where the time goes in ML training and inference traces, and how much could be saved.");
        root.Subcommands.Add(AnalyzeCommand.Create(stdout, stderr));
        root.Subcommands.Add(ReportCommand.Create(stdout, stderr));
        root.Subcommands.Add(HardwareCommand.Create(stdout, stderr));
        root.Subcommands.Add(RunsCommand.Create(stdout, stderr));
        root.Subcommands.Add(SqlCommand.Create(stdout, stderr));
        root.Subcommands.Add(DiffCommand.Create(stdout, stderr));
        root.Subcommands.Add(GateCommand.Create(stdout, stderr));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                stderr.WriteLine($"headroom: error: {e.Message}");
            }

            stderr.WriteLine("Run 'headroom --help' for usage.");
            return ExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stderr.WriteLine($"headroom: internal error: {e.GetType().Name}: {e.Message} (please report this with the command you ran)");
            return ExitCodes.InternalError;
        }
    }
}
