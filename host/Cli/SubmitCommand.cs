using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa submit &lt;recipe&gt;</c>: its options, handed to <see cref="ClusterSubmission"/> as one request.</summary>
public static class SubmitCommand
{
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
        verbs.Handle(submit, (parse, services, _) => services.GetRequiredService<ClusterSubmission>().Execute(new SubmitRequest(
            parse.GetValue(recipe)!, parse.GetValue(slurm), parse.GetValue(kubernetes), parse.GetValue(output), parse.GetValue(print),
            parse.GetValue(shards), parse.GetValue(partition), parse.GetValue(time), parse.GetValue(cpus), parse.GetValue(gpus),
            parse.GetValue(memory), parse.GetValue(peftqa), parse.GetValue(image)!, parse.GetValue(claim)!, parse.GetValue(mount)!,
            dataRoot.Read(parse))));
        return submit;
    }
}
