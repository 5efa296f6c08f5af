using System.Diagnostics;

namespace PeftQa.Tests.Support;

/// <summary>
/// The <c>dotnet</c> command line as a user runs it, in a child process. MSBuild and SDK variables that the test host
/// inherited from <c>dotnet test</c> are removed, so the child resolves its SDK and MSBuild as from a shell.
/// </summary>
public static class DotnetCli
{
    public static CliResult Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)
                     || k is "MSBUILD_EXE_PATH" or "DOTNET_HOST_PATH" or "VSTEST_HOST_DEBUG").ToList())
            start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new CliResult(process.ExitCode, output.Result, error.Result);
    }
}
