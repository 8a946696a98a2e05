using Headroom.Ingest;
using Spectre.Console;

namespace Headroom.Cli.Rendering;

/// <summary>Runs a load and, when it takes more than about a second on an interactive terminal, draws a progress bar on standard error.</summary>
public static class ProgressDisplay
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="work"/>, showing the bytes read from <paramref name="progress"/>.</summary>
    public static T Run<T>(Func<T> work, LoadProgress progress, TextWriter stderr, TerminalCapabilities terminal)
    {
        var task = Task.Run(work);
        if (task.Wait(Delay) || !terminal.IsInteractive)
        {
            return task.GetAwaiter().GetResult();
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stderr),
            Interactive = InteractionSupport.Yes,
            Ansi = AnsiSupport.Detect,
        });
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var bar = ctx.AddTask("reading traces", maxValue: Math.Max(1, progress.TotalBytes));
                while (!task.Wait(TimeSpan.FromMilliseconds(100)))
                {
                    bar.Value = Math.Min(progress.ReadBytes, bar.MaxValue);
                }

                bar.Value = bar.MaxValue;
            });
        return task.GetAwaiter().GetResult();
    }
}
