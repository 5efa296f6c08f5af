using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PeftQa.Host.Foundation;
using PeftQa.Host.Training;
using PeftQa.Host.Reporting;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Modeling;

namespace PeftQa.Host.Cli;

/// <summary>The <c>peftqa</c> command line: verbs, options and exit codes (0 success, 1 the work failed, 2 bad usage or input).</summary>
public static class PeftQaCommandLine
{
    public const int Success = 0;
    public const int WorkFailed = 1;
    public const int BadInput = 2;

    /// <summary>ENOSPC and EDQUOT: .NET reports the errno as the IOException's HResult on Linux.</summary>
    private const int NoSpaceLeftOnDevice = 28, DiskQuotaExceeded = 122;

    /// <summary>
    /// What survived a full disk: checkpoints, study states and reports are written under temporary names and renamed,
    /// so the last complete one of each stands, and a resume continues from the newest checkpoint.
    /// </summary>
    private static string DiskFullAdvice(string? runFolder)
    {
        const string Whole = "checkpoints, study states and reports are written whole or not at all";
        if (runFolder is null) return $"Everything already saved is intact ({Whole}).";
        try
        {
            var newest = Directory.EnumerateDirectories(runFolder, TrainingCheckpoint.Prefix + "*", SearchOption.AllDirectories)
                .OrderByDescending(Directory.GetLastWriteTimeUtc).FirstOrDefault();
            return newest is null
                ? $"Everything already saved in {runFolder} is intact ({Whole})."
                : $"The last checkpoint, {newest}, is intact ({Whole}).";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"Everything already saved in {runFolder} is intact ({Whole}).";
        }
    }

    public static async Task<int> RunAsync(string[] args, CliConsole? console = null, CancellationToken cancellation = default)
    {
        console ??= CliConsole.System;
        var options = GlobalOptions.Create();
        var root = new RootCommand("PeftQa: fine-tune BERT-family encoders for extractive question answering with full, LoRA and " +
                                   "soft-prompt strategies, and measure forgetting across task sequences.");
        foreach (var option in options.All) root.Options.Add(option);
        var (eval, predict, export) = ModelCommands(options, console);
        Command[] verbs = [RunVerb(options, console), ReportVerb(options, console), StatusVerb(options, console), SubmitVerb(options, console),
            CompareVerb(options, console), BenchVerb(options, console),
            new Command("data", "Inspect QA data.") { DataCheckVerb(options, console) }, ScoreVerb(options, console), eval, predict, export,
            new Command("plugins", "Inspect plugins.") { PluginsListVerb(options, console) }, SchemaVerb(options, console)];
        foreach (var verb in verbs) root.Subcommands.Add(verb);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) await console.Error.WriteLineAsync($"peftqa: {InWords(error)}");
            await console.Error.WriteLineAsync("Try 'peftqa --help'.");
            return BadInput;
        }
        // Signals are ours to handle (SignalHandling): System.CommandLine's own handler would end the process 2 s after one.
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error, ProcessTerminationTimeout = null }, cancellation);
    }

    /// <summary>
    /// A value an option could not be converted to its type, said with the option and what it takes in words ("--device:
    /// 'gpu' is not one of auto, cpu, cuda") instead of System.CommandLine's .NET type name; any other error as it is.
    /// </summary>
    private static string InWords(System.CommandLine.Parsing.ParseError error)
    {
        var option = error.SymbolResult switch
        {
            System.CommandLine.Parsing.OptionResult result => result,
            System.CommandLine.Parsing.ArgumentResult { Parent: System.CommandLine.Parsing.OptionResult result } => result,
            _ => null,
        };
        if (option is not { Tokens.Count: > 0 }) return error.Message;
        var given = string.Join(" ", option.Tokens.Select(t => t.Value));
        if (ValueInWords(option.Option.ValueType) is { } expected) return $"{option.Option.Name}: '{given}' is not {expected}";
        // A word option (AcceptOnlyFromAmong) offers its allowed words as completions; its own message spans lines and omits the option.
        var allowed = option.Option.GetCompletions(System.CommandLine.Completions.CompletionContext.Empty).Select(c => c.Label).ToList();
        return allowed.Count > 0 && !allowed.Contains(given, StringComparer.Ordinal)
            ? $"{option.Option.Name}: '{given}' is not one of {string.Join(", ", allowed)}"
            : error.Message;
    }

    /// <summary>What an option of <paramref name="type"/> takes, in words; null for text, which always converts.</summary>
    private static string? ValueInWords(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int)) return $"a whole number (up to {int.MaxValue})";
        if (type == typeof(long)) return $"a whole number (up to {long.MaxValue})";
        if (type == typeof(double) || type == typeof(float)) return "a number";
        if (type == typeof(bool)) return "true or false";
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))}";
        return null;
    }

    /// <summary>Options every verb takes.</summary>
    private sealed record GlobalOptions(Option<DeviceChoice> Device, Option<int?> Threads, Option<string[]> Plugins, Option<bool> Verbose)
    {
        public Option[] All => [Device, Threads, Plugins, Verbose];

        public static GlobalOptions Create()
        {
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
            return new GlobalOptions(device, threads, plugins, verbose);
        }
    }

    /// <summary><c>run</c>: a recipe.</summary>
    private static Command RunVerb(GlobalOptions options, CliConsole console)
    {
        var recipe = new Argument<string>("recipe") { Description = "Recipe file (JSON); see docs/recipes.md." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the recipe, plugins, data and device, print the plan, and stop." };
        var dataRoot = new Option<string?>("--data-root") { Description = "Folder that relative data paths resolve against (default: $PEFTQA_DATA, then the recipe's dataRoot)." };
        var output = new Option<string?>("--out") { Description = "Run folder to write (default: <recipe output>/<recipe name>-<time>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue the newest run of this recipe (or --out) from its last checkpoint; refused if the recipe changed in anything that alters results." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Start a new run in --out even if it holds one; its old contents are moved to <out>.replaced-<time> first." };
        var shard = new Option<string?>("--shard")
        {
            Description = "Run only the studies whose index i in the plan has i mod N == K (K/N), in the shared run folder --out; " +
                          "auto: K and N from a Slurm job array or a Kubernetes Indexed Job. Waits for the folder's baseline, or measures it if no one is.",
        };
        var study = new Option<string?>("--study") { Description = "Run only the study with this label, in the shared run folder --out." };
        var stage = new Option<string?>("--stage") { Description = "baseline: only prepare --out for its shards (pin the recipe, measure the baseline, run any selection)." };
        stage.AcceptOnlyFromAmong("baseline");
        var run = new Command("run", "Run a recipe: train and evaluate every study it describes.")
            { recipe, dryRun, dataRoot, output, resume, overwrite, shard, study, stage, PrecisionOption("training.precision in the recipe") };
        run.SetAction((parse, token) => Execute(parse, options, console, token,
            services => services.GetRequiredService<RunCommand>().ExecuteAsync(
                new RunRequest(parse.GetValue(recipe)!, parse.GetValue(dryRun), parse.GetValue(output), parse.GetValue(resume), parse.GetValue(overwrite),
                    parse.GetValue(shard), parse.GetValue(study), parse.GetValue(stage) == "baseline"), token)));
        return run;
    }

    /// <summary>--precision for the verbs that compute with a model (run, eval, predict); the value is read in <see cref="Execute"/>.</summary>
    private static Option<string?> PrecisionOption(string overrides)
    {
        var precision = new Option<string?>("--precision")
        {
            Description = $"auto (bf16 mixed precision where the device computes bf16 natively, else fp32), fp32 or bf16 (Hugging Face's --bf16); overrides {overrides}.",
        };
        precision.AcceptOnlyFromAmong("auto", "fp32", "bf16");
        return precision;
    }

    /// <summary><c>report</c>: a run folder's reports from its finished studies.</summary>
    private static Command ReportVerb(GlobalOptions options, CliConsole console)
    {
        var folder = new Argument<string>("run-folder") { Description = "A run folder (a sharded run's shared --out)." };
        var dataRoot = new Option<string?>("--data-root") { Description = "Folder that the run's relative data paths resolve against (default: $PEFTQA_DATA, then the recipe's dataRoot)." };
        var report = new Command("report", "Write results.json, report.md, compare.* and charts from a run folder's finished studies; exit 1 if any study is missing.") { folder, dataRoot };
        report.SetAction((parse, token) => Execute(parse, options, console, token, services => Task.FromResult(
            services.GetRequiredService<ReportCommand>().Execute(parse.GetValue(folder)!))));
        return report;
    }

    /// <summary><c>status</c>: each study's state in a run folder.</summary>
    private static Command StatusVerb(GlobalOptions options, CliConsole console)
    {
        var folder = new Argument<string>("run-folder") { Description = "A run folder." };
        var dataRoot = new Option<string?>("--data-root") { Description = "Folder that the run's relative data paths resolve against (default: $PEFTQA_DATA, then the recipe's dataRoot)." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var shards = new Option<int?>("--shards") { Description = "Show which of N shards runs each study (default: the count peftqa submit used)." };
        var status = new Command("status", "Show each study of a run folder: pending, running (with its step), done, failed or stopped (with why).") { folder, dataRoot, json, shards };
        status.SetAction((parse, token) => Execute(parse, options, console, token, services => Task.FromResult(
            services.GetRequiredService<StatusCommand>().Execute(parse.GetValue(folder)!, parse.GetValue(json), parse.GetValue(shards)))));
        return status;
    }

    /// <summary><c>submit</c>: a recipe's studies as a Slurm job array or a Kubernetes Indexed Job.</summary>
    private static Command SubmitVerb(GlobalOptions options, CliConsole console)
    {
        var recipe = new Argument<string>("recipe") { Description = "Recipe file (JSON)." };
        var slurm = new Option<bool>("--slurm") { Description = "Submit to Slurm: a baseline job, a job array of shards after it, a report job after them." };
        var kubernetes = new Option<bool>("--kubernetes") { Description = "Print a Kubernetes Indexed Job (with --print)." };
        var print = new Option<bool>("--print") { Description = "Only print the scripts or manifest; submit and create nothing." };
        var output = new Option<string?>("--out") { Description = "The shared run folder (default: <recipe output>/<recipe name>-<time>); again to resubmit." };
        var shards = new Option<int?>("--shards") { Description = "Array tasks (default: one per study)." };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition." };
        var time = new Option<string?>("--time") { Description = "Slurm time limit per task (e.g. 4:00:00 or 1-00:00:00)." };
        var cpus = new Option<int?>("--cpus-per-task") { Description = "CPUs per task (each task uses this many threads)." };
        var gpus = new Option<int?>("--gpus-per-task") { Description = "GPUs per task (a CUDA build of peftqa uses them)." };
        var memory = new Option<string?>("--mem") { Description = "Memory per task (e.g. 16G)." };
        var peftqa = new Option<string?>("--peftqa") { Description = "The command nodes run peftqa with (default: this installation; in a container, peftqa)." };
        var dataRoot = new Option<string?>("--data-root") { Description = "Data root the nodes use (default: $PEFTQA_DATA, then the recipe's dataRoot)." };
        var image = new Option<string>("--image") { Description = "Kubernetes: container image with peftqa.", DefaultValueFactory = _ => "peftqa:latest" };
        var claim = new Option<string>("--volume-claim") { Description = "Kubernetes: the shared PersistentVolumeClaim (recipes, data, run folders).", DefaultValueFactory = _ => "peftqa-shared" };
        var mount = new Option<string>("--mount") { Description = "Kubernetes: where the shared volume is mounted (the same paths as here).", DefaultValueFactory = _ => "/shared" };
        var submit = new Command("submit", "Run a recipe's studies on a cluster: a Slurm job array (--slurm) or a Kubernetes Indexed Job (--kubernetes --print).")
            { recipe, slurm, kubernetes, print, output, shards, partition, time, cpus, gpus, memory, peftqa, dataRoot, image, claim, mount };
        submit.SetAction((parse, token) => Execute(parse, options, console, token, services => Task.FromResult(
            services.GetRequiredService<SubmitCommand>().Execute(new SubmitRequest(parse.GetValue(recipe)!, parse.GetValue(slurm), parse.GetValue(kubernetes),
                parse.GetValue(output), parse.GetValue(print), parse.GetValue(shards), parse.GetValue(partition), parse.GetValue(time), parse.GetValue(cpus),
                parse.GetValue(gpus), parse.GetValue(memory), parse.GetValue(peftqa), parse.GetValue(image)!, parse.GetValue(claim)!, parse.GetValue(mount)!)))));
        return submit;
    }

    /// <summary><c>plugins list</c>.</summary>
    private static Command PluginsListVerb(GlobalOptions options, CliConsole console)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of a table." };
        var list = new Command("list", "List the loaded plugins with their options and defaults.") { json };
        list.SetAction((parse, token) => Execute(parse, options, console, token,
            services => Task.FromResult(services.GetRequiredService<PluginsListCommand>().Execute(parse.GetValue(json)))));
        return list;
    }

    /// <summary><c>bench</c>: throughput, MFU and the ratio to ONNX Runtime.</summary>
    private static Command BenchVerb(GlobalOptions options, CliConsole console)
    {
        var benchModel = new Option<string>("--model") { Description = "Model to measure.", DefaultValueFactory = _ => "builtin:minilm-l6" };
        var benchBatch = new Option<int>("--batch") { Description = "Examples per batch.", DefaultValueFactory = _ => 16 };
        var benchLength = new Option<int>("--length") { Description = "Tokens per example.", DefaultValueFactory = _ => 384 };
        var benchIterations = new Option<int>("--iterations") { Description = "Timed iterations per measure (median reported).", DefaultValueFactory = _ => 3 };
        var benchJson = new Option<bool>("--json") { Description = "Print JSON." };
        var benchStrategies = new Option<string[]>("--strategies")
        {
            Description = "Also time a training step with these adapter strategies (default options; LoRA always r 8 on query and value, as loraStepVsFull is defined), against full fine-tuning.",
            AllowMultipleArgumentsPerToken = true,
        };
        var benchDataRoot = new Option<string?>("--data-root")
        {
            Description = "Data root holding squad-v1.1/train.json (default: $PEFTQA_DATA): also measures squadTrainingSpeedup on real SQuAD windows.",
        };
        var bench = new Command("bench", "Measure inference and training-step throughput, MFU and the ratio to ONNX Runtime.")
            { benchModel, benchBatch, benchLength, benchIterations, benchJson, benchStrategies, benchDataRoot };
        bench.SetAction((parse, token) => Execute(parse, options, console, token, services => Task.FromResult(
            services.GetRequiredService<BenchCommand>().Execute(new BenchRequest(parse.GetValue(benchModel)!, parse.GetValue(benchBatch),
                parse.GetValue(benchLength), parse.GetValue(benchIterations), parse.GetValue(benchJson), parse.GetValue(benchStrategies))))));
        return bench;
    }

    /// <summary><c>data check</c>.</summary>
    private static Command DataCheckVerb(GlobalOptions options, CliConsole console)
    {
        var checkFile = new Argument<string>("file") { Description = "A SQuAD v1.1/v2.0 JSON file or a builtin:synthetic/... source." };
        var strict = new Option<bool>("--strict") { Description = "Fail on the first bad item instead of listing them." };
        var checkJson = new Option<bool>("--json") { Description = "Print the summary as JSON." };
        var check = new Command("check", "Summarise a QA data file and list bad items by question id.") { checkFile, strict, checkJson };
        check.SetAction((parse, token) => Execute(parse, options, console, token, services => Task.FromResult(
            services.GetRequiredService<DataCheckCommand>().Execute(parse.GetValue(checkFile)!, parse.GetValue(strict), parse.GetValue(checkJson)))));
        return check;
    }

    /// <summary><c>schema</c>: the recipe JSON Schema for the loaded plugins.</summary>
    private static Command SchemaVerb(GlobalOptions options, CliConsole console)
    {
        var output = new Option<string?>("--out") { Description = "Write the schema to this file (default: standard output)." };
        var schema = new Command("schema", "Print the recipe JSON Schema (recipe types and the loaded plugins' options) for editors.") { output };
        schema.SetAction((parse, token) => Execute(parse, options, console, token, services => Task.FromResult(
            services.GetRequiredService<SchemaCommand>().Execute(parse.GetValue(output)))));
        return schema;
    }

    /// <summary><c>score</c>: a predictions file.</summary>
    private static Command ScoreVerb(GlobalOptions options, CliConsole console)
    {
        var scoreData = new Option<string>("--data") { Description = "The SQuAD JSON file with the gold answers.", Required = true };
        var scorePredictions = new Option<string>("--predictions") { Description = "Predictions: a JSON object mapping question id to answer text.", Required = true };
        var scoreMetrics = new Option<string[]>("--metrics")
        {
            Description = "Metric plugins to report (exact_match and f1 by default; bleu, rougeL ...).",
            DefaultValueFactory = _ => ["exact_match", "f1"], AllowMultipleArgumentsPerToken = true,
        };
        RefuseRepeatedNames(scoreMetrics);
        var score = new Command("score", "Score a predictions file as the official SQuAD v1.1 script does.") { scoreData, scorePredictions, scoreMetrics };
        score.SetAction((parse, token) => Execute(parse, options, console, token, services => Task.FromResult(
            services.GetRequiredService<ScoreCommand>().Execute(parse.GetValue(scoreData)!, parse.GetValue(scorePredictions)!, parse.GetValue(scoreMetrics)!))));
        return score;
    }

    /// <summary>A list of plugin names (matched ignoring case) that names one plugin twice is refused, naming the option and the name.</summary>
    private static void RefuseRepeatedNames(Option<string[]> option) => option.Validators.Add(result =>
    {
        var names = result.GetValueOrDefault<string[]>() ?? [];
        if (names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            result.AddError($"{option.Name}: '{repeated.Key}' is given twice; name each metric once");
    });

    /// <summary><c>eval</c>, <c>predict</c> and <c>export</c>, which share the model and adapter options.</summary>
    private static (Command Eval, Command Predict, Command Export) ModelCommands(GlobalOptions options, CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "A Hugging Face checkpoint folder (for example runs/.../studies/full/model) or builtin:minilm-l6; with --engine onnx, a .onnx file written by peftqa export.", Required = true };
        var adapter = new Option<string?>("--adapter") { Description = "An adapter folder written by peftqa run (studies/<label>/adapter)." };
        var allowPickle = new Option<bool>("--allow-pickle") { Description = "Allow loading pytorch_model.bin (unpickling can run code: only for trusted files)." };
        var ignoreMismatched = new Option<bool>("--ignore-mismatched") { Description = "Load an adapter made for a model of another shape, or with tensors this model has no place for, as far as it fits (logged)." };
        var engine = new Option<AnsweringEngine>("--engine")
            { Description = "torch: TorchSharp on --device (a model folder, builtin:minilm-l6, --adapter); onnx: ONNX Runtime on a file written by peftqa export.", DefaultValueFactory = _ => AnsweringEngine.Torch };
        var evalData = new Option<string>("--data") { Description = "SQuAD JSON to evaluate on.", Required = true };
        var evalOut = new Option<string>("--out") { Description = "Folder for predictions.json and metrics.json.", Required = true };
        var evalMetrics = new Option<string[]>("--metrics") { Description = "Metric plugins.", DefaultValueFactory = _ => ["exact_match", "f1", "bleu", "rougeL"], AllowMultipleArgumentsPerToken = true };
        RefuseRepeatedNames(evalMetrics);
        var evalMax = new Option<int?>("--max-examples") { Description = "Evaluate a seeded sample of this many questions." };
        var evalSeed = new Option<int>("--seed") { Description = "Seed of the --max-examples sample (a recipe's maxEvalExamples uses the recipe's seed).", DefaultValueFactory = _ => 42 };
        var maxLength = new Option<int>("--max-length") { Description = "Tokens per window.", DefaultValueFactory = _ => new Recipes.TrainingSettings().MaxSequenceLength };
        var docStride = new Option<int>("--doc-stride") { Description = "Overlap between windows.", DefaultValueFactory = _ => new Recipes.TrainingSettings().DocStride };
        var precision = PrecisionOption("the default, auto; --engine torch only");
        var eval = new Command("eval", "Predict answers for a data file, write predictions.json and metrics.json.")
            { model, adapter, engine, evalData, evalOut, evalMetrics, evalMax, evalSeed, maxLength, docStride, allowPickle, ignoreMismatched, precision };
        eval.SetAction((parse, token) => Execute(parse, options, console, token, services => Task.FromResult(
            services.GetRequiredService<EvalCommand>().Execute(new EvalRequest(parse.GetValue(model)!, parse.GetValue(adapter), parse.GetValue(evalData)!,
                parse.GetValue(evalOut)!, parse.GetValue(evalMetrics)!, parse.GetValue(evalMax), parse.GetValue(maxLength), parse.GetValue(docStride),
                parse.GetValue(allowPickle), parse.GetValue(evalSeed), parse.GetValue(ignoreMismatched), parse.GetValue(engine)), token))));

        var question = new Option<string?>("--question") { Description = "The question." };
        var contextText = new Option<string?>("--context") { Description = "The text that holds the answer." };
        var predictLength = new Option<int?>("--max-length")
            { Description = "Tokens per window (default: 384, or fewer where the model's positions less an adapter's virtual tokens are fewer)." };
        var predictStride = new Option<int?>("--doc-stride") { Description = "Overlap between windows (default: 128, or half of --max-length if smaller)." };
        var predict = new Command("predict", "Answer a question from a context; without --question/--context, answer JSON lines from standard input.")
            { model, adapter, engine, question, contextText, predictLength, predictStride, allowPickle, ignoreMismatched, precision };
        predict.SetAction((parse, token) => Execute(parse, options, console, token, services => Task.FromResult(
            services.GetRequiredService<PredictCommand>().Execute(new PredictRequest(parse.GetValue(model)!, parse.GetValue(adapter),
                parse.GetValue(question), parse.GetValue(contextText), parse.GetValue(allowPickle), parse.GetValue(ignoreMismatched), parse.GetValue(engine),
                parse.GetValue(predictLength), parse.GetValue(predictStride)),
                console.In, token))));

        var onnx = new Option<string>("--onnx") { Description = "The .onnx file to write; config.json and vocab.txt are written beside it.", Required = true };
        var export = new Command("export", "Write the model, with any adapter merged into its weights, as an ONNX QA model for ONNX Runtime.")
            { model, adapter, onnx, allowPickle, ignoreMismatched };
        export.SetAction((parse, token) => Execute(parse, options, console, token, services => Task.FromResult(
            services.GetRequiredService<ExportCommand>().Execute(new ExportRequest(parse.GetValue(model)!, parse.GetValue(adapter), parse.GetValue(onnx)!,
                parse.GetValue(allowPickle), parse.GetValue(ignoreMismatched))))));
        return (eval, predict, export);
    }

    /// <summary><c>compare</c>: finished runs.</summary>
    private static Command CompareVerb(GlobalOptions options, CliConsole console)
    {
        var compareRuns = new Argument<string[]>("runs") { Description = "Finished run folders (each holds results.json).", Arity = ArgumentArity.OneOrMore };
        var compareOut = new Option<string?>("--out") { Description = "A new folder for compare.md, compare.json and compare.png (default: compare-<time> beside the first run folder)." };
        var compareReference = new Option<string?>("--reference") { Description = "Label of the study the others are compared with (default: the first)." };
        var allowMismatch = new Option<bool>("--allow-mismatch") { Description = "Compare runs whose data files, evaluation set or budget differ, labelled as not comparable (refused otherwise)." };
        var compare = new Command("compare", "Rebuild the strategy comparison table and chart from finished runs.") { compareRuns, compareOut, compareReference, allowMismatch };
        compare.SetAction((parse, token) => Execute(parse, options, console, token, services => Task.FromResult(
            services.GetRequiredService<CompareCommand>().Execute(parse.GetValue(compareRuns)!, parse.GetValue(compareOut), parse.GetValue(compareReference), parse.GetValue(allowMismatch)))));
        return compare;
    }

    /// <summary>Builds the host for one verb and turns what can go wrong into exit codes and messages.</summary>
    private static async Task<int> Execute(ParseResult parse, GlobalOptions options, CliConsole cli, CancellationToken token, Func<IServiceProvider, Task<int>> work)
    {
        var settings = new PeftQaSettings
        {
            Device = parse.GetValue(options.Device),
            Threads = parse.GetValue(options.Threads),
            PluginFolders = [.. parse.GetValue(options.Plugins) ?? []],
            Precision = parse.CommandResult.Command.Name is "run" or "eval" or "predict" && parse.GetValue<string?>("--precision") is { } precision
                ? Enum.Parse<Recipes.Precision>(precision, ignoreCase: true) : null,
            DataRoot = (parse.CommandResult.Command.Name is "run" or "bench" or "report" or "status" or "submit" ? parse.GetValue<string?>("--data-root") : null)
                       ?? Environment.GetEnvironmentVariable("PEFTQA_DATA"),
        };
        using var host = HostFactory.Build(settings, cli, parse.GetValue(options.Verbose));
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
        catch (IOException e) when (e.HResult is NoSpaceLeftOnDevice or DiskQuotaExceeded)
        {
            logger.LogError("Disk full: {Message}. {Saved} Free some space, then continue with --resume", e.Message,
                DiskFullAdvice(host.Services.GetRequiredService<RunLogSink>().RunFolder));
            return WorkFailed;
        }
        catch (WorkFailedException e)
        {
            logger.LogError("Failed: {Message}", e.Message);
            return WorkFailed;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var runFolder = host.Services.GetRequiredService<RunLogSink>().RunFolder;
            var stopped = StopSignal.Describe();
            logger.LogWarning("{Stopped}{Resume}", char.ToUpperInvariant(stopped[0]) + stopped[1..],
                runFolder is null ? "" : $": everything saved in {runFolder} is kept; continue with --resume");
            return StopSignal.Current?.ExitCode ?? WorkFailed;
        }
        catch (Exception e)
        {
            logger.LogError(e, "Failed: {Message}", e.Message);
            return WorkFailed;
        }
    }
}
