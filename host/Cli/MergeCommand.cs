using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using PeftQa.Abstractions;
using PeftQa.Host.Runs;

namespace PeftQa.Host.Cli;

/// <summary><c>peftqa merge --model M --adapter A --adapter B [--weights ..] --method ties --out F</c>: prints the folder written.</summary>
public static class MergeCommand
{
    public static Command Create(VerbSetup verbs)
    {
        var model = new Option<string>("--model")
            { Description = "The base model every adapter was trained on (a checkpoint folder or builtin:minilm-l6).", Required = true };
        var adapters = new Option<string[]>("--adapter")
            { Description = "An adapter folder to merge; give two or more, in order.", Required = true, AllowMultipleArgumentsPerToken = false };
        var weights = new Option<double[]?>("--weights")
            { Description = "One weight per --adapter, in order (default 1 each).", AllowMultipleArgumentsPerToken = true };
        var method = new Option<string>("--method")
        {
            Description = "linear, cat (LoRA factors joined: their exact sum), svd (the sum at --rank), ties, dare_linear, dare_ties, " +
                          "magnitude_prune, or a merge-method plugin's name.",
            DefaultValueFactory = _ => "ties",
        };
        var density = new Option<double>("--density")
            {
            Description = "The fraction of each delta kept by ties, dare_* and magnitude_prune, in (0, 1].",
            DefaultValueFactory = _ => MergeSettings.DefaultDensity,
        };
        var majority = new Option<string>("--majority-sign")
            { Description = "How ties and dare_ties elect signs: total or frequency.", DefaultValueFactory = _ => "total" };
        var seed = new Option<int>("--seed") { Description = "Seeds dare_*'s random drops.", DefaultValueFactory = _ => 0 };
        var rank = new Option<int?>("--rank") { Description = "svd's rank (default: the largest input rank, or full rank)." };
        var headFrom = new Option<int?>("--head-from")
            { Description = "Take the QA head from this adapter (from 1) instead of merging the heads by the method." };
        var loraFactors = new Option<bool>("--lora-factors")
        {
            Description = "With --method linear on LoRAs of one rank: PEFT's linear, A = sum sqrt(w s) A_i and B likewise (a LoRA of that rank, " +
                          "with cross terms), instead of the weighted sum of the deltas.",
        };
        var output = new Option<string>("--out") { Description = "The folder to write (new or empty).", Required = true };
        var allowPickle = new Option<bool>("--allow-pickle") { Description = "Allow a base model's pytorch_model.bin (unpickling can run code)." };
        var merge = new Command("merge",
            "Merge adapters trained on one base model into one model (or one LoRA adapter) with TIES, DARE, SVD or task arithmetic.");
        Option[] options = [model, adapters, weights, method, density, majority, seed, rank, headFrom, loraFactors, output, allowPickle];
        foreach (var option in options)
            merge.Options.Add(option);
        verbs.Handle(merge, (parse, services, _) =>
        {
            // Not given, --weights reads as an empty list: 1 each then.
            var given = parse.GetValue(weights) is { Length: > 0 } listed ? listed : null;
            var request = new MergeRequest(
                parse.GetValue(model)!, parse.GetValue(adapters) ?? [], given, parse.GetValue(method)!,
                new MergeSettings(parse.GetValue(density), parse.GetValue(majority)!, parse.GetValue(seed), parse.GetValue(rank)),
                parse.GetValue(headFrom), parse.GetValue(output)!, parse.GetValue(allowPickle), parse.GetValue(loraFactors));
            verbs.Console.Out.WriteLine(services.GetRequiredService<AdapterMerge>().Merge(request));
            return PeftQaCommandLine.Success;
        });
        return merge;
    }
}
