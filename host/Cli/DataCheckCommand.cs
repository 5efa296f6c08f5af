using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Data;
using Spectre.Console;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa data check &lt;file&gt;</c>: what a SQuAD file holds and which items are bad, by id.</summary>
public sealed class DataCheckCommand(CliConsole console)
{
    /// <summary><c>check</c>, a verb of <c>data</c>.</summary>
    public static Command Create(VerbSetup verbs)
    {
        var file = new Argument<string>("file") { Description = "A SQuAD v1.1/v2.0 JSON file or a builtin:synthetic/... source." };
        var strict = new Option<bool>("--strict") { Description = "Fail on the first bad item instead of listing them." };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var check = new Command("check", "Summarise a QA data file and list bad items by question id.") { file, strict, json };
        verbs.Handle(check, (parse, services, _) => services.GetRequiredService<DataCheckCommand>()
            .Execute(parse.GetValue(file)!, parse.GetValue(strict), parse.GetValue(json)));
        return check;
    }

    public int Execute(string path, bool strict, bool json)
    {
        var data = DataSources.Load(path, strict);
        var s = data.Summary;
        if (json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(s,
                new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            return PeftQaCommandLine.Success;
        }
        var table = new Table().AddColumns("", "Count");
        table.AddRow("version", Markup.Escape(s.Version ?? "-"));
        table.AddRow("articles", s.Articles.ToString("N0"));
        table.AddRow("paragraphs", s.Paragraphs.ToString("N0"));
        table.AddRow("questions", s.Questions.ToString("N0"));
        table.AddRow("answers", s.Answers.ToString("N0"));
        table.AddRow("unanswerable (v2)", s.Unanswerable.ToString("N0"));
        table.AddRow("usable questions", data.Examples.Count.ToString("N0"));
        table.AddRow("skipped questions", s.SkippedQuestions.ToString("N0"));
        table.AddRow("problems", s.Problems.Count.ToString("N0"));
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Out),
            Ansi = console.IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
        });
        terminal.Write(table);
        foreach (var problem in s.Problems.Take(50)) console.Out.WriteLine($"  {problem}");
        if (s.Problems.Count > 50) console.Out.WriteLine($"  ... and {s.Problems.Count - 50} more (use --json for all)");
        return PeftQaCommandLine.Success;
    }
}
