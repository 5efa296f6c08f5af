using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
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
public sealed class SubmitCommand(PluginLoader pluginLoader, IOptions<PeftQaSettings> settings, CliConsole console, ILogger<SubmitCommand> logger)
{
    public const string SubmissionFile = RunFolderFiles.SubmissionFile;

    public int Execute(SubmitRequest request)
    {
        if (request.Slurm == request.Kubernetes) throw new BadInputException("choose the scheduler: --slurm or --kubernetes");
        if (request.Kubernetes && !request.Print)
            throw new BadInputException("--kubernetes only writes the manifest: give --print and apply it with kubectl apply -f <file>");
        SlurmJobs.Check(request);
        string? sbatch = request.Slurm && !request.Print
            ? FindOnPath("sbatch") ?? throw new BadInputException("sbatch is not on PATH: run submit where Slurm's commands are (a login node), or give --print to see the scripts")
            : null;
        var loaded = RecipeLoader.Load(request.RecipePath);
        var plugins = pluginLoader.Load(PluginRoots.For(settings.Value.PluginFolders, loaded));
        var plan = RunPlanner.Plan(loaded, plugins, settings.Value.DataRoot is { } root ? Path.GetFullPath(root) : null);
        int shards = request.Shards ?? plan.Studies.Count;
        if (shards < 1) throw new BadInputException($"--shards {shards}: expected at least 1");
        new Shard(0, shards).CheckAgainst(plan.Studies.Count);
        var runFolder = Path.GetFullPath(request.RunFolder ?? Path.Combine(loaded.Recipe.Output, $"{loaded.Recipe.Name}-{DateTime.Now:yyyyMMdd-HHmmss}"));
        var recipe = Path.GetFullPath(request.RecipePath);
        if (request.Kubernetes) return PrintManifest(request, plan, recipe, runFolder, shards);

        var scripts = SlurmJobs.Scripts(request, FolderNames.For(loaded.Recipe.Name), recipe, runFolder, shards, Command(request), string.Concat(GlobalOptions().Select(o => " " + SlurmJobs.Quote(o))));
        if (request.Print)
        {
            foreach (var script in scripts)
                console.Out.Write($"# {Path.Combine(runFolder, RunFolderFiles.SlurmFolder, script.Name)}\n{script.Text}\n");
            console.Out.Write($"# submitted as: b=$(sbatch --parsable baseline.sbatch); a=$(sbatch --parsable --dependency=afterok:$b --kill-on-invalid-dep=yes shards.sbatch); " +
                              "sbatch --dependency=afterok:$a --kill-on-invalid-dep=yes report.sbatch\n");
            return PeftQaCommandLine.Success;
        }
        var folder = Path.Combine(runFolder, RunFolderFiles.SlurmFolder);
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
            jobs["shards"] = Sbatch(sbatch, [.. SlurmJobs.DependencyArguments(jobs["baseline"]!.GetValue<string>()), Path.Combine(folder, "shards.sbatch")]);
            jobs["report"] = Sbatch(sbatch, [.. SlurmJobs.DependencyArguments(jobs["shards"]!.GetValue<string>()), Path.Combine(folder, "report.sbatch")]);
        }
        catch (InvalidOperationException e)
        {
            logger.LogError("{Message}{Submitted}", e.Message, jobs.Count > 0 ? $"; already submitted: {string.Join(", ", jobs.Select(j => $"{j.Key} {j.Value}"))} (scancel them before trying again)" : "");
            return PeftQaCommandLine.WorkFailed;
        }
        var submission = new JsonObject { ["scheduler"] = "slurm", ["shards"] = shards, ["jobs"] = jobs, ["submitted"] = DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz") };
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
        KubernetesJob.Check(request, [("the recipe", recipe), ("the run folder", runFolder), .. DataPaths(plan)]);
        var name = plan.Recipe.Name;
        var command = (request.Peftqa ?? "peftqa").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["run", recipe, "--out", runFolder, "--shard", "auto", .. GlobalOptions()]).ToList();
        var manifest = KubernetesJob.Manifest(request, name, shards, command);
        console.Out.WriteLine(manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        logger.LogInformation("Apply it with kubectl apply -f <file>; when the Job completes: peftqa report {RunFolder}", runFolder);
        return PeftQaCommandLine.Success;
    }

    /// <summary>
    /// What the pods read from the shared volume besides the recipe: the data root (from --data-root or PEFTQA_DATA, else
    /// the recipe's own dataRoot) and each task's data files, built-in sources aside.
    /// </summary>
    private List<(string What, string Path)> DataPaths(RunPlan plan)
    {
        var paths = new List<(string What, string Path)>();
        if (plan.DataRoot is { } root) paths.Add((settings.Value.DataRoot is null ? "the recipe's dataRoot" : "the data root (--data-root or PEFTQA_DATA)", root));
        for (int i = 0; i < plan.Tasks.Count; i++)
        {
            var task = plan.Tasks[i];
            if (task.Train is { } train && Path.IsPathRooted(train)) paths.Add(($"$.tasks[{i}].{task.TrainField}", train));
            if (Path.IsPathRooted(task.Eval)) paths.Add(($"$.tasks[{i}].eval", task.Eval));
        }
        return paths;
    }

    /// <summary>The options this command was given that every step must repeat, as separate arguments, paths made absolute.</summary>
    private List<string> GlobalOptions()
    {
        var options = new List<string>();
        if (settings.Value.Device != DeviceChoice.Auto) options.AddRange(["--device", settings.Value.Device.ToString().ToLowerInvariant()]);
        if (settings.Value.Threads is { } threads) options.AddRange(["--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        foreach (var folder in settings.Value.PluginFolders) options.AddRange(["--plugins", Path.GetFullPath(folder)]);
        if (settings.Value.DataRoot is { } dataRoot) options.AddRange(["--data-root", Path.GetFullPath(dataRoot)]);
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
