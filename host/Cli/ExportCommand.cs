using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa export --model M [--adapter A] --onnx FILE</c>: prints the file <see cref="ModelExport"/> wrote.</summary>
public static class ExportCommand
{
    public static Command Create(VerbSetup verbs)
    {
        var model = new ModelOptions();
        var onnx = new Option<string>("--onnx")
            { Description = "The .onnx file to write; config.json and vocab.txt are written beside it.", Required = true };
        var export = new Command("export", "Write the model, with any adapter merged into its weights, as an ONNX QA model for ONNX Runtime.");
        foreach (var option in model.For(answers: false)) export.Options.Add(option);
        export.Options.Add(onnx);
        verbs.Handle(export, (parse, services, _) =>
        {
            var written = services.GetRequiredService<ModelExport>()
                .Export(new ExportRequest(model.Read(parse, answers: false), parse.GetValue(onnx)!));
            verbs.Console.Out.WriteLine(written);
            return PeftQaCommandLine.Success;
        });
        return export;
    }
}
