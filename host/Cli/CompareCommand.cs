using Microsoft.Extensions.Logging;
using PeftQa.Host.Foundation;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa compare &lt;run folders...&gt; [--out folder]</c>: rebuilds compare.md/json/png from finished runs.</summary>
public sealed class CompareCommand(CliConsole console, ILogger<CompareCommand> logger)
{
    public int Execute(IReadOnlyList<string> runFolders, string? output)
    {
        if (runFolders.Count == 0) throw new BadInputException("give at least one run folder");
        var rows = ComparisonReport.FromRunFolders(runFolders);
        var folder = WritableFolder.Ensure(output ?? runFolders[0], output is null ? "the first run folder" : "--out");
        ComparisonReport.Write(folder, rows, "Strategy comparison");
        console.Out.Write(ComparisonReport.Markdown(rows, "Strategy comparison"));
        logger.LogInformation("Wrote compare.md, compare.json and compare.png to {Folder}", Path.GetFullPath(folder));
        return PeftQaCommandLine.Success;
    }
}
