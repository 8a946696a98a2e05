using Spectre.Console;

namespace Headroom.Cli.Rendering;

/// <summary>What the terminal can do: progress on stderr, colour and width on stdout.</summary>
/// <param name="IsInteractive">Standard error is a terminal: progress bars may be drawn there.</param>
/// <param name="ColorEnabled">Standard output is a terminal and NO_COLOR is not set.</param>
/// <param name="Width">Columns available for tables.</param>
public sealed record TerminalCapabilities(bool IsInteractive, bool ColorEnabled, int Width)
{
    /// <summary>Plain output for files, pipes and tests.</summary>
    public static TerminalCapabilities Plain { get; } = new(false, false, 100);

    /// <summary>A Spectre console writing tables to <paramref name="writer"/> with these colours and this width, never interactive.</summary>
    public IAnsiConsole Console(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = ColorEnabled ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = ColorEnabled ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = Width;
        return console;
    }

    /// <summary>Detects the capabilities of this process's console.</summary>
    public static TerminalCapabilities Detect()
    {
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var stdoutTty = !System.Console.IsOutputRedirected;
        var width = 100;
        if (stdoutTty)
        {
            try
            {
                width = Math.Clamp(System.Console.WindowWidth, 60, 200);
            }
            catch (IOException)
            {
            }
        }

        return new TerminalCapabilities(!System.Console.IsErrorRedirected, stdoutTty && !noColor, width);
    }
}
