using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary>
/// <c>peftqa compare &lt;run folders...&gt; [--out folder] [--reference label] [--allow-mismatch]</c>: prints the
/// comparison <see cref="RunComparison"/> wrote.
/// </summary>
public static class CompareCommand
{
    public static Command Create(VerbSetup verbs)
    {
        var runs = new Argument<string[]>("runs")
            { Description = "Finished run folders (each holds results.json).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--out")
        {
            Description = "A new folder for compare.md, compare.json and compare.png (default: compare-<time> beside the first run folder).",
        };
        var reference = new Option<string?>("--reference") { Description = "Label of the study the others are compared with (default: the first)." };
        var allowMismatch = new Option<bool>("--allow-mismatch")
        {
            Description = "Compare runs whose data files, evaluation set or budget differ, labelled as not comparable (refused otherwise).",
        };
        var compare = new Command("compare", "Rebuild the strategy comparison table and chart from finished runs.")
            { runs, output, reference, allowMismatch };
        verbs.Handle(compare, (parse, services, _) =>
        {
            var (folder, markdown) = services.GetRequiredService<RunComparison>().Compare(parse.GetValue(runs)!,
                parse.GetValue(output), parse.GetValue(reference), parse.GetValue(allowMismatch));
            verbs.Console.Out.Write(markdown);
            services.GetRequiredService<ILogger<RunComparison>>()
                .LogInformation("Wrote compare.md, compare.json and compare.png to {Folder}", folder);
            return PeftQaCommandLine.Success;
        });
        return compare;
    }
}
