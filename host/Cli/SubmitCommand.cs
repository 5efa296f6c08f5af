using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Foundation;
using PeftQa.Host.Planning;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Reporting;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary>
/// <c>peftqa submit &lt;recipe&gt; --slurm</c>: checks the recipe, pins it in the run folder (as a run's first step
/// does; a folder holding another recipe's run is refused), writes the three batch scripts to <c>&lt;run&gt;/slurm/</c>
/// (<see cref="SlurmJobs"/>) and submits them with sbatch, chained; or, with <c>--print</c>, only prints them.
/// <c>--kubernetes --print</c> prints an Indexed Job (<see cref="KubernetesJob"/>). Submitting again to the same
/// folder resubmits: finished studies are skipped, unfinished ones continue from their checkpoints.
/// </summary>
public sealed class SubmitCommand(
    PluginLoader pluginLoader,
    ExtraPluginFolders pluginFolders,
    ComputeSettings compute,
    CliConsole console,
    ILogger<SubmitCommand> logger)
{
    public const string SubmissionFile = "submission.json";

    public static Command Create(VerbSetup verbs)
    {
        var recipe = new Argument<string>("recipe") { Description = "Recipe file (JSON)." };
        var slurm = new Option<bool>("--slurm")
            { Description = "Submit to Slurm: a baseline job, a job array of shards after it, a report job after them." };
        var kubernetes = new Option<bool>("--kubernetes") { Description = "Print a Kubernetes Indexed Job (with --print)." };
        var print = new Option<bool>("--print") { Description = "Only print the scripts or manifest; submit and create nothing." };
        var output = new Option<string?>("--out")
            { Description = "The shared run folder (default: <recipe output>/<recipe name>-<time>); again to resubmit." };
        var shards = new Option<int?>("--shards") { Description = "Array tasks (default: one per study)." };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition." };
        var time = new Option<string?>("--time") { Description = "Slurm time limit per task (e.g. 4:00:00 or 1-00:00:00)." };
        var cpus = new Option<int?>("--cpus-per-task") { Description = "CPUs per task (each task uses this many threads)." };
        var gpus = new Option<int?>("--gpus-per-task") { Description = "GPUs per task (a CUDA build of peftqa uses them)." };
        var memory = new Option<string?>("--mem") { Description = "Memory per task (e.g. 16G)." };
        var peftqa = new Option<string?>("--peftqa")
            { Description = "The command nodes run peftqa with (default: this installation; in a container, peftqa)." };
        var dataRoot = new DataRootOption("Data root the nodes use (default: $PEFTQA_DATA, then the recipe's dataRoot).");
        var image = new Option<string>("--image")
            { Description = "Kubernetes: container image with peftqa.", DefaultValueFactory = _ => "peftqa:latest" };
        var claim = new Option<string>("--volume-claim")
        {
            Description = "Kubernetes: the shared PersistentVolumeClaim (recipes, data, run folders).",
            DefaultValueFactory = _ => "peftqa-shared",
        };
        var mount = new Option<string>("--mount")
            { Description = "Kubernetes: where the shared volume is mounted (the same paths as here).", DefaultValueFactory = _ => "/shared" };
        var submit = new Command("submit",
                "Run a recipe's studies on a cluster: a Slurm job array (--slurm) or a Kubernetes Indexed Job (--kubernetes --print).")
            { recipe, slurm, kubernetes, print, output, shards, partition, time, cpus, gpus, memory, peftqa, dataRoot.Option, image, claim, mount };
        verbs.Handle(submit, (parse, services, _) => services.GetRequiredService<SubmitCommand>().Execute(new SubmitRequest(
            parse.GetValue(recipe)!, parse.GetValue(slurm), parse.GetValue(kubernetes), parse.GetValue(output), parse.GetValue(print),
            parse.GetValue(shards), parse.GetValue(partition), parse.GetValue(time), parse.GetValue(cpus), parse.GetValue(gpus),
            parse.GetValue(memory), parse.GetValue(peftqa), parse.GetValue(image)!, parse.GetValue(claim)!, parse.GetValue(mount)!,
            dataRoot.Read(parse))));
        return submit;
    }

    public int Execute(SubmitRequest request)
    {
        if (request.Slurm == request.Kubernetes) throw new BadInputException("choose the scheduler: --slurm or --kubernetes");
        if (request.Kubernetes && !request.Print)
            throw new BadInputException("--kubernetes only writes the manifest: give --print and apply it with kubectl apply -f <file>");
        SlurmJobs.Check(request);
        string? sbatch = request.Slurm && !request.Print
            ? FindOnPath("sbatch") ?? throw new BadInputException(
                "sbatch is not on PATH: run submit where Slurm's commands are (a login node), or give --print to see the scripts")
            : null;
        var loaded = RecipeLoader.Load(request.RecipePath);
        var plugins = pluginLoader.Load(PluginRoots.For(pluginFolders.Folders, loaded));
        var plan = RunPlanner.Plan(loaded, plugins, new RunOverrides(DataRoot: request.DataRoot));
        int shards = request.Shards ?? plan.Studies.Count;
        if (shards < 1) throw new BadInputException($"--shards {shards}: expected at least 1");
        new Shard(0, shards).CheckAgainst(plan.Studies.Count);
        var runFolder = Path.GetFullPath(
            request.RunFolder ?? Path.Combine(loaded.Recipe.Output, $"{loaded.Recipe.Name}-{DateTime.Now:yyyyMMdd-HHmmss}"));
        var recipe = Path.GetFullPath(request.RecipePath);
        if (request.Kubernetes) return PrintManifest(request, plan, recipe, runFolder, shards);

        var scripts = SlurmJobs.Scripts(request, FolderNames.For(loaded.Recipe.Name), recipe, runFolder, shards, Command(request),
            string.Concat(GlobalOptions(request).Select(o => " " + SlurmJobs.Quote(o))));
        if (request.Print)
        {
            foreach (var script in scripts) console.Out.Write($"# {Path.Combine(runFolder, "slurm", script.Name)}\n{script.Text}\n");
            console.Out.Write($"# submitted as: b=$(sbatch --parsable baseline.sbatch); " +
                              "a=$(sbatch --parsable --dependency=afterok:$b --kill-on-invalid-dep=yes shards.sbatch); " +
                              "sbatch --dependency=afterok:$a --kill-on-invalid-dep=yes report.sbatch\n");
            return PeftQaCommandLine.Success;
        }
        var folder = Path.Combine(runFolder, "slurm");
        var mode = File.Exists(Path.Combine(runFolder, RunFolder.RecipeFile)) ? RunFolderMode.Resume : RunFolderMode.New;
        using (RunStart.Open(runFolder, mode, plan, loaded.Directory, plugins, logger, pinPrecision: false))
        {
            Directory.CreateDirectory(folder);
            foreach (var script in scripts) AtomicFile.WriteAllText(Path.Combine(folder, script.Name), script.Text);
        }
        return Submit(sbatch!, folder, runFolder, shards);
    }

    /// <summary>The shards' count, when the folder's run was submitted (for <c>peftqa status</c>).</summary>
    public static int? ShardsOf(string runFolder)
    {
        try { return JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, SubmissionFile)))?["shards"]?.GetValue<int>(); }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException) { return null; }
    }

    private int Submit(string sbatch, string folder, string runFolder, int shards)
    {
        var jobs = new JsonObject();
        try
        {
            jobs["baseline"] = Sbatch(sbatch, Path.Combine(folder, "baseline.sbatch"));
            jobs["shards"] = Sbatch(sbatch,
                [.. SlurmJobs.DependencyArguments(jobs["baseline"]!.GetValue<string>()), Path.Combine(folder, "shards.sbatch")]);
            jobs["report"] = Sbatch(sbatch,
                [.. SlurmJobs.DependencyArguments(jobs["shards"]!.GetValue<string>()), Path.Combine(folder, "report.sbatch")]);
        }
        catch (InvalidOperationException e)
        {
            var submitted = jobs.Count > 0
                ? $"; already submitted: {string.Join(", ", jobs.Select(j => $"{j.Key} {j.Value}"))} (scancel them before trying again)"
                : "";
            logger.LogError("{Message}{Submitted}", e.Message, submitted);
            return PeftQaCommandLine.WorkFailed;
        }
        var submission = new JsonObject
        {
            ["scheduler"] = "slurm",
            ["shards"] = shards,
            ["jobs"] = jobs,
            ["submitted"] = DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz"),
        };
        AtomicFile.WriteAllText(Path.Combine(runFolder, SubmissionFile), submission.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        console.Out.WriteLine($"baseline job {jobs["baseline"]}, shard array {jobs["shards"]} ({shards} tasks), report job {jobs["report"]}");
        console.Out.WriteLine($"run folder {runFolder}");
        logger.LogInformation("Follow it with: peftqa status {RunFolder}; job logs in {Logs}", runFolder, folder);
        return PeftQaCommandLine.Success;
    }

    /// <summary>The job id sbatch gave (<c>--parsable</c> prints "id" or "id;cluster").</summary>
    /// <exception cref="InvalidOperationException">sbatch refused the job.</exception>
    private static string Sbatch(string sbatch, params string[] arguments)
    {
        var start = new ProcessStartInfo(sbatch) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("--parsable");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"sbatch {arguments[^1]} failed (exit code {process.ExitCode}): {error.Trim()}");
        return output.Result.Trim().Split(';')[0];
    }

    private int PrintManifest(SubmitRequest request, RunPlan plan, string recipe, string runFolder, int shards)
    {
        KubernetesJob.Check(request, [("the recipe", recipe), ("the run folder", runFolder), .. DataPaths(request, plan)]);
        var name = plan.Recipe.Name;
        var command = (request.Peftqa ?? "peftqa").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["run", recipe, "--out", runFolder, "--shard", "auto", .. GlobalOptions(request)]).ToList();
        var manifest = KubernetesJob.Manifest(request, name, shards, command);
        console.Out.WriteLine(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        logger.LogInformation("Apply it with kubectl apply -f <file>; when the Job completes: peftqa report {RunFolder}", runFolder);
        return PeftQaCommandLine.Success;
    }

    /// <summary>
    /// What the pods read from the shared volume besides the recipe: the data root (from --data-root or PEFTQA_DATA, else
    /// the recipe's own dataRoot) and each task's data files, built-in sources aside.
    /// </summary>
    private static List<(string What, string Path)> DataPaths(SubmitRequest request, RunPlan plan)
    {
        var paths = new List<(string What, string Path)>();
        if (plan.DataRoot is { } root)
            paths.Add((request.DataRoot is null ? "the recipe's dataRoot" : "the data root (--data-root or PEFTQA_DATA)", root));
        for (int i = 0; i < plan.Tasks.Count; i++)
        {
            var task = plan.Tasks[i];
            if (task.Train is { } train && Path.IsPathRooted(train)) paths.Add(($"$.tasks[{i}].{task.TrainField}", train));
            if (Path.IsPathRooted(task.Eval)) paths.Add(($"$.tasks[{i}].eval", task.Eval));
        }
        return paths;
    }

    /// <summary>The options this command was given that every step must repeat, as separate arguments, paths made absolute.</summary>
    private List<string> GlobalOptions(SubmitRequest request)
    {
        var options = new List<string>();
        if (compute.Device != DeviceChoice.Auto) options.AddRange(["--device", compute.Device.ToString().ToLowerInvariant()]);
        if (compute.Threads is { } threads) options.AddRange(["--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        foreach (var folder in pluginFolders.Folders) options.AddRange(["--plugins", Path.GetFullPath(folder)]);
        if (request.DataRoot is { } dataRoot) options.AddRange(["--data-root", Path.GetFullPath(dataRoot)]);
        return options;
    }

    /// <summary>How a node runs this installation: its peftqa executable, else dotnet with its assembly.</summary>
    private static string Command(SubmitRequest request)
    {
        if (request.Peftqa is { } given) return given;
        var assembly = typeof(SubmitCommand).Assembly.Location;
        var executable = Path.Combine(Path.GetDirectoryName(assembly)!, "peftqa");
        return File.Exists(executable) ? SlurmJobs.Quote(executable) : $"dotnet {SlurmJobs.Quote(assembly)}";
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
