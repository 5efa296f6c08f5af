namespace PeftQa.Host.Foundation;

/// <summary>
/// The signal that asked this process to stop (SIGINT from Ctrl-C, SIGTERM from a scheduler's time limit or
/// cancellation), once one has. The command line listens (Cli/SignalHandling) and cancels the work's token; the layers
/// below name the signal in what they record (a study's failure.json), and the process exits with 128 + its number.
/// </summary>
public static class StopSignal
{
    private static volatile Received? received;

    /// <param name="Name">SIGINT or SIGTERM.</param>
    /// <param name="Number">The POSIX number: 2 or 15.</param>
    public sealed record Received(string Name, int Number)
    {
        /// <summary>The shell's convention for a process ended by a signal.</summary>
        public int ExitCode => 128 + Number;
    }

    /// <summary>The first stop signal this process received; null while none has.</summary>
    public static Received? Current => received;

    public static void Record(string name, int number) => received ??= new Received(name, number);

    /// <summary>How a stop is described where it is recorded: the signal's name, or a cancellation without one.</summary>
    public static string Describe() => received switch
    {
        { Name: "SIGINT" } => "stopped by SIGINT (Ctrl-C)",
        { } signal => $"stopped by {signal.Name} (a scheduler's time limit or cancellation, or kill)",
        null => "stopped (cancelled)",
    };
}
