using System.Runtime.InteropServices;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Cli;

/// <summary>
/// SIGINT and SIGTERM ask the running command to stop at its next safe point (training saves a checkpoint between two
/// steps; a study records failure.json naming the signal) instead of ending the process at once. A second signal
/// ends it at once, as without this handler.
/// </summary>
public sealed class SignalHandling : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly PosixSignalRegistration[] registrations;
    private readonly TextWriter error;

    public SignalHandling(TextWriter error)
    {
        this.error = error;
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        if (stop.IsCancellationRequested) return; // the second: the default action ends the process now
        context.Cancel = true;
        var (name, number) = context.Signal == PosixSignal.SIGINT ? ("SIGINT", 2) : ("SIGTERM", 15);
        StopSignal.Record(name, number);
        error.WriteLine($"peftqa: {name} received: stopping at the next safe point (a second signal stops at once)");
        stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        stop.Dispose();
    }
}
