namespace Headroom.Cli.Rendering;

/// <summary>What the terminal can do: progress on stderr, colour and width on stdout.</summary>
/// <param name="IsInteractive">Standard error is a terminal: progress bars may be drawn there.</param>
/// <param name="ColorEnabled">Standard output is a terminal and NO_COLOR is not set.</param>
/// <param name="Width">Columns available for tables.</param>
public sealed record TerminalCapabilities(bool IsInteractive, bool ColorEnabled, int Width)
{
    /// <summary>Plain output for files, pipes and tests.</summary>
    public static TerminalCapabilities Plain { get; } = new(false, false, 100);

    /// <summary>Detects the capabilities of this process's console.</summary>
    public static TerminalCapabilities Detect()
    {
        var noColor = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        var stdoutTty = !Console.IsOutputRedirected;
        var width = 100;
        if (stdoutTty)
        {
            try
            {
                width = Math.Clamp(Console.WindowWidth, 60, 200);
            }
            catch (IOException)
            {
            }
        }

        return new TerminalCapabilities(!Console.IsErrorRedirected, stdoutTty && !noColor, width);
    }
}
