using Headroom.Cli;
using Xunit;

namespace Headroom.Tests.Cli;

/// <summary>Exit codes a CI job can tell apart.</summary>
public sealed class ExitCodeTests
{
    /// <summary>A writer that fails as a closed pipe or a full disk would, whatever is written.</summary>
    private sealed class BrokenWriter : StringWriter
    {
        public override void Write(char value) => throw new InvalidOperationException("the output is broken");

        public override void Write(string? value) => throw new InvalidOperationException("the output is broken");

        public override void WriteLine(string? value) => throw new InvalidOperationException("the output is broken");
    }

    [Fact]
    public void An_internal_failure_is_one_line_and_exit_3_not_a_gates_1()
    {
        // Given a command whose output cannot be written (a failure Headroom does not expect)
        var stderr = new StringWriter();

        // When it runs
        var code = HeadroomApp.Run(["hardware", "list"], new BrokenWriter(), stderr);

        // Then it exits 3, apart from a gate's "regressed" (1) and bad input (2), with one line and no stack trace
        Assert.Equal((3, 1, 2), (code, ExitCodes.Regressed, ExitCodes.BadInput));
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("headroom: internal error: InvalidOperationException: the output is broken", line, StringComparison.Ordinal);
    }
}
