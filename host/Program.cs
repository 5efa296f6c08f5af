using PeftQa.Host.Cli;

using var signals = new SignalHandling(Console.Error);
return await PeftQaCommandLine.RunAsync(args, cancellation: signals.Token);
