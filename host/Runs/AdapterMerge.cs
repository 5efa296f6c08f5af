using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Merging;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using static TorchSharp.torch;

namespace PeftQa.Host.Runs;

/// <summary>
/// <c>peftqa merge</c>'s entry point: adapters trained on one base model merged into one. <c>cat</c>, and <c>svd</c> where
/// every change is to a Linear weight or the QA head, write a LoRA adapter in PEFT's layout; the other methods write a
/// model folder (config.json, model.safetensors, vocab.txt). Both get <c>merge.json</c>: the inputs by SHA-256, the method,
/// its settings and the weights. Every check runs before anything is written.
/// </summary>
public sealed class AdapterMerge(PluginLoader pluginLoader, ExtraPluginFolders pluginFolders, ILogger<AdapterMerge> logger)
{
    public const string RecordFile = "merge.json";
    public const string CatMethod = "cat";
    public const string StagingSuffix = ".merging";

    /// <returns>The folder written, as a full path.</returns>
    /// <exception cref="BadInputException">A bad argument, model or adapter; nothing is written then.</exception>
    public string Merge(MergeRequest request)
    {
        var plugins = pluginLoader.Load(PluginRoots.For(pluginFolders.Folders, []));
        // Method names are matched ignoring case, as plugins are; the rest of the merge reads the canonical name.
        var named = string.Equals(request.Method, CatMethod, StringComparison.OrdinalIgnoreCase) ? CatMethod
            : ((IMergeMethods)plugins.MergeMethods).Find(request.Method)?.Name ?? request.Method;
        request = request with { Method = named };
        var method = CheckArguments(request, plugins.MergeMethods);
        if (request.Method == "svd" && request.Settings.Rank is null && LargestLoraRank(request.Adapters) is { } inputRank)
            request = request with { Settings = request.Settings with { Rank = inputRank } };
        var weights = request.Weights ?? Enumerable.Repeat(1.0, request.Adapters.Count).ToList();
        var output = WritableFolder.FullPath(request.Out, "--out");
        if (File.Exists(output)) throw new BadInputException($"--out {output}: is a file; give a folder");
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new BadInputException($"--out {output}: the folder exists and is not empty; give a new folder");
        var started = System.Diagnostics.Stopwatch.StartNew();
        // A base model without a head gets the same random one as eval draws, so head deltas are taken against it.
        manual_seed(InferenceModel.BaseModelHeadSeed);
        using var loaded = ModelSources.Load(request.Model, Directory.GetCurrentDirectory(), logger, request.AllowPickle).Model;
        var vocab = ModelSources.VocabularyPath(request.Model, Directory.GetCurrentDirectory(), logger);
        var taskVectors = TaskVectors.Of(loaded, request.Adapters, plugins, logger);
        try
        {
            var lora = request.Method == CatMethod || request.LoraFactors ? ReadLoras(request.Adapters) : null;
            if (request.LoraFactors) CheckFactorWise(lora!, weights);
            var merged = MergeDeltas(taskVectors, weights, method, request);
            // Written beside the target and moved into place whole: a merge killed while writing leaves no half folder
            // at --out, only the staging folder, which the next merge into the same --out replaces.
            var staging = WritableFolder.Ensure(output + StagingSuffix, "--out");
            foreach (var stale in Directory.EnumerateFileSystemEntries(staging)) File.Delete(stale);
            string kind = Write(loaded, vocab, merged, lora, weights, request, staging);
            WriteRecord(request, weights, kind, staging);
            if (Directory.Exists(output)) Directory.Delete(output);
            Directory.Move(staging, output);
            logger.LogInformation("Merged {Count} adapters with {Method} into {Output} ({Kind}) in {Seconds:F1} s",
                request.Adapters.Count, request.Method, output, kind, started.Elapsed.TotalSeconds);
            foreach (var tensor in merged.Values) tensor.Dispose();
            lora?.ForEach(l => l.Dispose());
            return output;
        }
        finally
        {
            foreach (var tensor in taskVectors.SelectMany(v => v.Values)) tensor.Dispose();
        }
    }

    /// <summary>The arguments the files are not needed for; the method (null for cat).</summary>
    private static IMergeMethod? CheckArguments(MergeRequest request, IMergeMethods methods)
    {
        var problems = new List<string>();
        if (request.Adapters.Count < 2) problems.Add($"--adapter: expected at least two adapters to merge, got {request.Adapters.Count}");
        if (request.Weights is { } weights && weights.Count != request.Adapters.Count)
            problems.Add($"--weights: expected one weight per --adapter ({request.Adapters.Count}), got {weights.Count}");
        if (request.Weights?.Any(w => !double.IsFinite(w)) == true) problems.Add("--weights: expected finite numbers");
        if (request.HeadFrom is { } head && (head < 1 || head > request.Adapters.Count))
            problems.Add($"--head-from: expected an adapter's place from 1 to {request.Adapters.Count}, got {head}");
        var method = request.Method == CatMethod ? null : methods.Find(request.Method);
        if (request.Method != CatMethod && method is null)
            problems.Add($"--method: no merge method named '{request.Method}'; available: " +
                         string.Join(", ", methods.All.Select(m => m.Name).Prepend(CatMethod)));
        if (method is not null) problems.AddRange(method.Validate(request.Settings).Select(OptionName));
        if (request.LoraFactors && request.Method != "linear")
            problems.Add($"--lora-factors: combines LoRA factors as PEFT's linear does; it goes with --method linear, not {request.Method}");
        if (problems.Count > 0) throw new BadInputException(problems);
        return method;
    }

    /// <summary>A method's message names its setting as MergeSettings does; the command line names the option.</summary>
    private static string OptionName(string problem) => problem
        .Replace("density:", "--density:", StringComparison.Ordinal)
        .Replace("majoritySign:", "--majority-sign:", StringComparison.Ordinal)
        .Replace("rank:", "--rank:", StringComparison.Ordinal);

    /// <summary>PEFT's default rank for svd: the largest r among the inputs, when every input is a LoRA.</summary>
    private static int? LargestLoraRank(IReadOnlyList<string> adapters)
    {
        var ranks = adapters.Select(LoraFactors.RankOf).ToList();
        return ranks.All(r => r is not null) ? ranks.Max() : null;
    }

    /// <summary>PEFT's factor-wise linear needs one rank and takes sqrt(weight x scaling).</summary>
    private static void CheckFactorWise(IReadOnlyList<LoraFactors> loras, IReadOnlyList<double> weights)
    {
        var ranks = loras.Select(l => l.Rank).Distinct().ToList();
        if (ranks.Count > 1)
            throw new BadInputException(
                $"--lora-factors: the adapters' ranks differ ({string.Join(", ", loras.Select(l => l.Rank))}); factor-wise linear needs one " +
                "rank; use cat, svd or linear without --lora-factors");
        if (weights.Any(w => w < 0))
            throw new BadInputException("--weights: --lora-factors scales both factors by sqrt(weight x scaling), so weights must not be negative");
    }

    private static List<LoraFactors> ReadLoras(IReadOnlyList<string> adapters) =>
        adapters.Select((folder, i) => LoraFactors.Read(folder, $"--adapter {folder}")
            ?? throw new BadInputException(
                $"--adapter {folder}: cat joins LoRA factors, and this is not a PEFT LoRA adapter; use ties, dare_ties or linear"))
        .ToList();

    /// <summary>Per parameter the merged delta; with --head-from the head's is that adapter's own.</summary>
    private static Dictionary<string, Tensor> MergeDeltas(
        IReadOnlyList<Dictionary<string, Tensor>> vectors, IReadOnlyList<double> weights, IMergeMethod? method, MergeRequest request)
    {
        var merged = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var linear = new LinearMerge();
        foreach (var name in vectors.SelectMany(v => v.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            bool head = BertForQuestionAnswering.IsHeadParameter(name);
            if (head && request.HeadFrom is { } from)
            {
                merged[name] = vectors[from - 1].TryGetValue(name, out var own)
                    ? own.clone()
                    : zeros_like(vectors.First(v => v.ContainsKey(name))[name]);
                continue;
            }
            using var scope = NewDisposeScope();
            var template = vectors.First(v => v.ContainsKey(name))[name];
            var deltas = vectors.Select(v => v.TryGetValue(name, out var d) ? d : zeros_like(template)).ToList();
            using var generator = new Generator(request.Settings.SeedFor(name));
            // cat's rule for what is not a LoRA factor (the head) is PEFT's: the weighted sum.
            merged[name] = (method ?? linear).Merge(deltas, weights, request.Settings, generator).MoveToOuterDisposeScope();
        }
        return merged;
    }

    private static string Write(BertForQuestionAnswering model, string vocab, Dictionary<string, Tensor> merged, List<LoraFactors>? lora,
        IReadOnlyList<double> weights, MergeRequest request, string output)
    {
        if (lora is not null)
        {
            using var scope = NewDisposeScope();
            var factors = request.LoraFactors ? LoraFactors.CombineFactors(lora, weights) : LoraFactors.Concatenate(lora, weights);
            PeftLoraFolder.Write(output, factors, HeadValues(model, merged), model.Description);
            return "lora adapter";
        }
        if (request.Method == "svd" && merged.Keys.All(k => BertForQuestionAnswering.IsHeadParameter(k) || IsLinearWeight(model, k)))
        {
            using var scope = NewDisposeScope();
            var factors = merged.Where(m => !BertForQuestionAnswering.IsHeadParameter(m.Key)).ToDictionary(
                m => m.Key[..^".weight".Length],
                m => Flip(SvdMerge.Factors(m.Value, request.Settings.Rank ?? MaxRank(m.Value))), StringComparer.Ordinal);
            PeftLoraFolder.Write(output, factors, HeadValues(model, merged), model.Description);
            return "lora adapter";
        }
        AddDeltas(model, merged);
        Checkpoint.Save(model, vocab, output);
        return "model";
    }

    private static (Tensor A, Tensor B) Flip((Tensor B, Tensor A) factors) => (factors.A, factors.B);

    private static int MaxRank(Tensor delta) => (int)Math.Min(delta.shape[0], delta.shape[1]);

    private static bool IsLinearWeight(BertForQuestionAnswering model, string name) =>
        name.EndsWith(".weight", StringComparison.Ordinal) && model.Linears.ContainsKey(name[..^".weight".Length]);

    /// <summary>The QA head's parameters with their merged deltas added, as modules_to_save holds them.</summary>
    private static Dictionary<string, Tensor> HeadValues(BertForQuestionAnswering model, Dictionary<string, Tensor> merged) =>
        model.HeadParameters.ToDictionary(p => p.Name,
            p => merged.TryGetValue(p.Name, out var delta) ? p.Parameter.detach() + delta : p.Parameter.detach().clone(), StringComparer.Ordinal);

    private static void AddDeltas(BertForQuestionAnswering model, Dictionary<string, Tensor> merged)
    {
        using var _ = no_grad();
        foreach (var p in model.NamedParameters)
            if (merged.TryGetValue(p.Name, out var delta)) p.Parameter.add_(delta);
    }

    private static void WriteRecord(MergeRequest request, IReadOnlyList<double> weights, string kind, string output)
    {
        var record = new JsonObject
        {
            ["model"] = request.Model,
            ["method"] = request.Method,
            ["output"] = kind,
            ["settings"] = new JsonObject
            {
                ["density"] = request.Settings.Density,
                ["majoritySign"] = request.Settings.MajoritySign,
                ["seed"] = request.Settings.Seed,
                ["rank"] = request.Settings.Rank,
                ["headFrom"] = request.HeadFrom,
                ["loraFactors"] = request.LoraFactors,
            },
            ["inputs"] = new JsonArray(request.Adapters.Select((folder, i) => (JsonNode)new JsonObject
            {
                ["adapter"] = Path.GetFullPath(folder),
                ["weight"] = weights[i],
                ["sha256"] = FileHashes(folder),
            }).ToArray()),
        };
        AtomicFile.WriteAllText(Path.Combine(output, RecordFile), record.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Each file of the adapter folder by name, with its SHA-256.</summary>
    private static JsonObject FileHashes(string folder)
    {
        var hashes = new JsonObject();
        foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            using var stream = File.OpenRead(file);
            hashes[Path.GetFileName(file)] = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        return hashes;
    }
}
