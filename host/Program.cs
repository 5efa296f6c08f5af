using PeftQa.Host.Cli;

return await PeftQaCommandLine.RunAsync(args);
