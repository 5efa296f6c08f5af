using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Planning;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa run &lt;recipe&gt;</c>: its options, handed to <see cref="RunExecution"/> as one request.</summary>
public static class RunCommand
{
    public static Command Create(VerbSetup verbs)
    {
        var recipe = new Argument<string>("recipe") { Description = "Recipe file (JSON); see docs/recipes.md." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the recipe, plugins, data and device, print the plan, and stop." };
        var dataRoot = new DataRootOption("Folder that relative data paths resolve against (default: $PEFTQA_DATA, then the recipe's dataRoot).");
        var output = new Option<string?>("--out") { Description = "Run folder to write (default: <recipe output>/<recipe name>-<time>)." };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue the newest run of this recipe (or --out) from its last checkpoint; " +
                          "refused if the recipe changed in anything that alters results.",
        };
        var overwrite = new Option<bool>("--overwrite")
        {
            Description = "Start a new run in --out even if it holds one; its old contents are moved to <out>.replaced-<time> first.",
        };
        var shard = new Option<string?>("--shard")
        {
            Description = "Run only the studies whose index i in the plan has i mod N == K (K/N), in the shared run folder --out; " +
                          "auto: K and N from a Slurm job array or a Kubernetes Indexed Job. " +
                          "Waits for the folder's baseline, or measures it if no one is.",
        };
        var study = new Option<string?>("--study") { Description = "Run only the study with this label, in the shared run folder --out." };
        var stage = new Option<string?>("--stage")
        {
            Description = "baseline: only prepare --out for its shards (pin the recipe, measure the baseline, run any selection).",
        };
        stage.AcceptOnlyFromAmong("baseline");
        var precision = new PrecisionOption("training.precision in the recipe");
        var run = new Command("run", "Run a recipe: train and evaluate every study it describes.")
            { recipe, dryRun, dataRoot.Option, output, resume, overwrite, shard, study, stage, precision.Option };
        verbs.Handle(run, (parse, services, token) =>
        {
            var request = new RunRequest(parse.GetValue(recipe)!, parse.GetValue(dryRun), parse.GetValue(output), parse.GetValue(resume),
                parse.GetValue(overwrite), parse.GetValue(shard), parse.GetValue(study), parse.GetValue(stage) == "baseline")
            {
                Overrides = new RunOverrides(precision.Read(parse), dataRoot.Read(parse)),
            };
            services.GetRequiredService<RunExecution>().Execute(request, token);
            return PeftQaCommandLine.Success;
        });
        return run;
    }
}
