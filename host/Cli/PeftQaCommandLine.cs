using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PeftQa.Host.Cli;

/// <summary>The <c>peftqa</c> command line: verbs, options and exit codes (0 success, 1 the work failed, 2 bad usage or input).</summary>
public static class PeftQaCommandLine
{
    public const int Success = 0;
    public const int WorkFailed = 1;
    public const int BadInput = 2;

    public static async Task<int> RunAsync(string[] args, CliConsole? console = null, CancellationToken cancellation = default)
    {
        console ??= CliConsole.System;

        var device = new Option<DeviceChoice>("--device")
        {
            Description = "Compute device: auto (CUDA when available), cpu or cuda.",
            DefaultValueFactory = _ => DeviceChoice.Auto,
            Recursive = true,
        };
        var threads = new Option<int?>("--threads") { Description = "CPU threads for tensor work (default: one per core).", Recursive = true };
        var plugins = new Option<string[]>("--plugins")
        {
            Description = "Another folder of plugins (or one plugin folder); may be repeated.",
            Recursive = true,
            Arity = ArgumentArity.ZeroOrMore,
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show debug log lines.", Recursive = true };

        var root = new RootCommand("PeftQa: fine-tune BERT-family encoders for extractive question answering with full, LoRA and " +
                                   "soft-prompt strategies, and measure forgetting across task sequences.");
        root.Options.Add(device);
        root.Options.Add(threads);
        root.Options.Add(plugins);
        root.Options.Add(verbose);

        var recipe = new Argument<string>("recipe") { Description = "Recipe file (JSON); see docs/recipes.md." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the recipe, plugins, data and device, print the plan, and stop." };
        var dataRoot = new Option<string?>("--data-root") { Description = "Folder that relative data paths resolve against (default: $PEFTQA_DATA, then the recipe's dataRoot)." };
        var output = new Option<string?>("--out") { Description = "Run folder to write (default: <recipe output>/<recipe name>-<time>)." };
        var run = new Command("run", "Run a recipe: train and evaluate every study it describes.") { recipe, dryRun, dataRoot, output };
        run.SetAction((parse, token) => Execute(parse, console, token,
            services => services.GetRequiredService<RunCommand>().ExecuteAsync(
                new RunRequest(parse.GetValue(recipe)!, parse.GetValue(dryRun), parse.GetValue(output)), token)));

        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of a table." };
        var list = new Command("list", "List the loaded plugins with their options and defaults.") { json };
        list.SetAction((parse, token) => Execute(parse, console, token,
            services => Task.FromResult(services.GetRequiredService<PluginsListCommand>().Execute(parse.GetValue(json)))));
        var benchModel = new Option<string>("--model") { Description = "Model to measure.", DefaultValueFactory = _ => "builtin:minilm-l6" };
        var benchBatch = new Option<int>("--batch") { Description = "Examples per batch.", DefaultValueFactory = _ => 16 };
        var benchLength = new Option<int>("--length") { Description = "Tokens per example.", DefaultValueFactory = _ => 384 };
        var benchIterations = new Option<int>("--iterations") { Description = "Timed iterations per measure (median reported).", DefaultValueFactory = _ => 3 };
        var benchJson = new Option<bool>("--json") { Description = "Print JSON." };
        var bench = new Command("bench", "Measure inference and training-step throughput, MFU and the ratio to ONNX Runtime.")
            { benchModel, benchBatch, benchLength, benchIterations, benchJson };
        bench.SetAction((parse, token) => Execute(parse, console, token, services => Task.FromResult(
            services.GetRequiredService<BenchCommand>().Execute(new BenchRequest(parse.GetValue(benchModel)!, parse.GetValue(benchBatch),
                parse.GetValue(benchLength), parse.GetValue(benchIterations), parse.GetValue(benchJson))))));
        root.Subcommands.Add(run);
        root.Subcommands.Add(bench);
        root.Subcommands.Add(new Command("plugins", "Inspect plugins.") { list });

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) await console.Error.WriteLineAsync($"peftqa: {error.Message}");
            await console.Error.WriteLineAsync("Try 'peftqa --help'.");
            return BadInput;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellation);

        async Task<int> Execute(ParseResult parse, CliConsole cli, CancellationToken token, Func<IServiceProvider, Task<int>> work)
        {
            var settings = new PeftQaSettings
            {
                Device = parse.GetValue(device),
                Threads = parse.GetValue(threads),
                PluginFolders = [.. parse.GetValue(plugins) ?? []],
                DataRoot = (parse.CommandResult.Command == run ? parse.GetValue(dataRoot) : null)
                           ?? Environment.GetEnvironmentVariable("PEFTQA_DATA"),
            };
            using var host = HostFactory.Build(settings, cli, parse.GetValue(verbose));
            var logger = host.Services.GetRequiredService<ILogger<RunCommand>>();
            try
            {
                return await work(host.Services);
            }
            catch (BadInputException e)
            {
                foreach (var problem in e.Problems)
                {
                    logger.LogDebug("Bad input: {Problem}", problem);
                    await cli.Error.WriteLineAsync($"error: {problem}");
                }
                return BadInput;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                logger.LogWarning("Cancelled");
                return WorkFailed;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Failed: {Message}", e.Message);
                return WorkFailed;
            }
        }
    }
}
