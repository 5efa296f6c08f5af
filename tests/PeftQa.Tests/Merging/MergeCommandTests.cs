using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Abstractions;
using PeftQa.Host.Merging;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Plugins.FullFineTune;
using PeftQa.Plugins.Lora;
using PeftQa.Plugins.SoftPrompt;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.Merging;

/// <summary>
/// <c>peftqa merge</c> end to end on a tiny model and LoRA adapters with known factors, against deltas worked out by hand
/// (s B A). Serial: loading a model seeds libtorch's process-wide generator.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class MergeCommandTests : IDisposable
{
    private const double Scaling = 2; // lora_alpha 4 / r 2
    private static readonly LoraOptions QueryValue = new() { R = 2, Alpha = 4, TargetModules = ["query", "value"] };

    private readonly TemporaryFolder folder = new();
    private readonly string model;

    public MergeCommandTests() => model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);

    public void Dispose() => folder.Dispose();

    /// <summary>What an adapter changes, by parameter name: s B A per targeted weight, and the head's change.</summary>
    private sealed record HandDeltas(string Folder, Dictionary<string, Tensor> Deltas, Dictionary<string, (Tensor A, Tensor B)> Factors);

    /// <summary>A LoRA adapter with random factors and a changed head, saved; its deltas computed from the factors.</summary>
    private HandDeltas SaveLora(string name, int seed)
    {
        using var loaded = Checkpoint.Load(model, NullLogger.Instance).Model;
        var strategy = new LoraStrategy();
        using var adapter = (LoraAdapter)strategy.Attach(loaded, QueryValue);
        using var generator = new Generator((ulong)seed);
        var startHead = loaded.HeadParameters.ToDictionary(p => p.Name, p => p.Parameter.detach().clone());
        using (no_grad())
            foreach (var p in adapter.TrainableParameters) p.Parameter.add_(randn(p.Parameter.shape, generator: generator) * 0.1);
        var deltas = adapter.Branches.ToDictionary(b => b.Target.Name + ".weight", b => (Tensor)(b.B.detach().matmul(b.A.detach()) * Scaling));
        var factors = adapter.Branches.ToDictionary(b => b.Target.Name + ".weight", b => (b.A.detach().clone(), b.B.detach().clone()));
        foreach (var p in loaded.HeadParameters) deltas[p.Name] = p.Parameter.detach() - startHead[p.Name];
        var saved = folder.Combine(name);
        AdapterFolder.Save(adapter, strategy, QueryValue, loaded.Description, saved);
        return new HandDeltas(saved, deltas, factors);
    }

    /// <summary>The tiny model with <paramref name="deltas"/> added to its parameters.</summary>
    private BertForQuestionAnswering MergedByHand(IReadOnlyDictionary<string, Tensor> deltas)
    {
        var loaded = Checkpoint.Load(model, NullLogger.Instance).Model;
        loaded.eval();
        using var _ = no_grad();
        foreach (var p in loaded.NamedParameters)
            if (deltas.TryGetValue(p.Name, out var delta)) p.Parameter.add_(delta);
        return loaded;
    }

    private static PluginCatalog Catalog() =>
        new([new LoadedPlugin("lora", "adapter-strategy", "1", "", "", [], new LoraStrategy())], []);

    [Fact]
    public async Task Ties_writes_a_model_whose_weights_and_logits_equal_ties_of_the_hand_made_deltas()
    {
        var a = SaveLora("a", 1);
        var b = SaveLora("b", 2);
        var output = folder.Combine("merged");

        var result = await PeftqaCli.Run("merge", "--model", model, "--adapter", a.Folder, "--adapter", b.Folder, "--weights", "0.5", "0.5",
            "--method", "ties", "--density", "0.5", "--out", output);

        result.ExitCode.Should().Be(0, result.Error);
        var expected = a.Deltas.Keys.ToDictionary(k => k, k =>
        {
            using var generator = new Generator(0);
            return new TiesMerge().Merge([a.Deltas[k], b.Deltas[k]], [0.5, 0.5], new MergeSettings(0.5), generator);
        });
        using var byHand = MergedByHand(expected);
        using var merged = Checkpoint.Load(output, NullLogger.Instance).Model;
        merged.eval();
        foreach (var (name, parameter) in merged.named_parameters())
            (parameter - byHand.named_parameters().Single(p => p.name == name).parameter).abs().max().item<float>()
                .Should().BeLessThan(1e-6f, name);
        (TinyBert.StartLogits(merged) - TinyBert.StartLogits(byHand)).abs().max().item<float>().Should().BeLessThan(1e-5f);
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "merge.json")))!;
        record["method"]!.ToString().Should().Be("ties");
        record["output"]!.ToString().Should().Be("model");
        record["inputs"]!.AsArray().Select(i => i!["sha256"]!["adapter_model.safetensors"]!.ToString()).Should()
            .OnlyContain(hash => hash.Length == 64).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Cat_writes_a_lora_adapter_that_adds_exactly_the_weighted_sum_of_the_deltas()
    {
        var a = SaveLora("a", 3);
        var b = SaveLora("b", 4);
        var output = folder.Combine("cat");

        var result = await PeftqaCli.Run("merge", "--model", model, "--adapter", a.Folder, "--adapter", b.Folder, "--weights", "1", "0.25",
            "--method", "cat", "--out", output);

        result.ExitCode.Should().Be(0, result.Error);
        JsonNode.Parse(File.ReadAllText(Path.Combine(output, "adapter_config.json")))!["r"]!.GetValue<int>().Should().Be(4, "ranks add up");
        var sum = a.Deltas.Keys.ToDictionary(k => k, k => (Tensor)(a.Deltas[k] + b.Deltas[k] * 0.25));
        using var byHand = MergedByHand(sum);
        using var catModel = InferenceModel.Load(model, output, Catalog(), CPU, NullLogger.Instance);
        (TinyBert.StartLogits(catModel.Model) - TinyBert.StartLogits(byHand)).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public async Task Linear_with_lora_factors_combines_the_factors_as_peft_does_cross_terms_included()
    {
        var a = SaveLora("a", 9);
        var b = SaveLora("b", 10);
        var output = folder.Combine("factorwise");

        var result = await PeftqaCli.Run("merge", "--model", model, "--adapter", a.Folder, "--adapter", b.Folder, "--weights", "0.5", "0.5",
            "--method", "linear", "--lora-factors", "--out", output);

        result.ExitCode.Should().Be(0, result.Error);
        // PEFT's linear for LoRA: A = sum sqrt(w s) A_i, B = sum sqrt(w s) B_i; here sqrt(0.5 x 2) = 1 for both.
        var expected = a.Deltas.ToDictionary(d => d.Key, d => a.Factors.TryGetValue(d.Key, out var fa)
            ? (fa.B + b.Factors[d.Key].B).matmul(fa.A + b.Factors[d.Key].A)
            : (Tensor)((d.Value + b.Deltas[d.Key]) * 0.5));
        using var byHand = MergedByHand(expected);
        using var merged = InferenceModel.Load(model, output, Catalog(), CPU, NullLogger.Instance);
        (TinyBert.StartLogits(merged.Model) - TinyBert.StartLogits(byHand)).abs().max().item<float>().Should().BeLessThan(1e-5f);
        JsonNode.Parse(File.ReadAllText(Path.Combine(output, "adapter_config.json")))!["r"]!.GetValue<int>().Should().Be(2, "the inputs' rank");
    }

    [Fact]
    public async Task Svd_at_the_inputs_summed_rank_writes_a_lora_equal_to_linear()
    {
        var a = SaveLora("a", 5);
        var b = SaveLora("b", 6);

        var svd = await PeftqaCli.Run("merge", "--model", model, "--adapter", a.Folder, "--adapter", b.Folder, "--method", "svd", "--rank", "4",
            "--out", folder.Combine("svd"));
        var linear = await PeftqaCli.Run("merge", "--model", model, "--adapter", a.Folder, "--adapter", b.Folder, "--method", "linear",
            "--out", folder.Combine("linear"));

        svd.ExitCode.Should().Be(0, svd.Error);
        linear.ExitCode.Should().Be(0, linear.Error);
        using var svdModel = InferenceModel.Load(model, folder.Combine("svd"), Catalog(), CPU, NullLogger.Instance);
        using var linearModel = Checkpoint.Load(folder.Combine("linear"), NullLogger.Instance).Model;
        linearModel.eval();
        (TinyBert.StartLogits(svdModel.Model) - TinyBert.StartLogits(linearModel)).abs().max().item<float>().Should().BeLessThan(1e-4f);
    }

    [Fact]
    public async Task Full_fine_tuning_adapters_merge_as_their_weights_minus_the_base()
    {
        var strategy = new FullFineTuneStrategy();
        var options = new FullFineTuneOptions();
        var finals = new List<Dictionary<string, Tensor>>();
        foreach (var (name, seed) in new[] { ("full-a", 11), ("full-b", 12) })
        {
            using var loaded = Checkpoint.Load(model, NullLogger.Instance).Model;
            using var adapter = strategy.Attach(loaded, options);
            using var generator = new Generator((ulong)seed);
            using (no_grad())
                foreach (var p in adapter.TrainableParameters) p.Parameter.add_(randn(p.Parameter.shape, generator: generator) * 0.01);
            finals.Add(Snapshot(loaded));
            AdapterFolder.Save(adapter, strategy, options, loaded.Description, folder.Combine(name));
        }

        var result = await PeftqaCli.Run("merge", "--model", model, "--adapter", folder.Combine("full-a"), "--adapter", folder.Combine("full-b"),
            "--weights", "0.5", "0.5", "--method", "linear", "--out", folder.Combine("averaged"));

        result.ExitCode.Should().Be(0, result.Error);
        using var averaged = Checkpoint.Load(folder.Combine("averaged"), NullLogger.Instance).Model;
        foreach (var (name, parameter) in averaged.named_parameters())
            (parameter - (finals[0][name] + finals[1][name]) / 2).abs().max().item<float>().Should().BeLessThan(1e-6f, name);
    }

    private static Dictionary<string, Tensor> Snapshot(BertForQuestionAnswering loaded) =>
        loaded.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

    [Fact]
    public async Task A_second_merge_into_the_same_folder_is_refused_and_a_killed_merges_staging_folder_is_replaced()
    {
        var a = SaveLora("a", 13);
        var b = SaveLora("b", 14);
        var output = folder.Combine("once");
        string[] merge = ["merge", "--model", model, "--adapter", a.Folder, "--adapter", b.Folder, "--method", "linear", "--out", output];
        // What a merge killed while writing leaves: a half-written staging folder beside --out, nothing at --out.
        Directory.CreateDirectory(output + ".merging");
        File.WriteAllText(Path.Combine(output + ".merging", "model.safetensors"), "half");

        var first = await PeftqaCli.Run(merge);
        var written = File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
        var second = await PeftqaCli.Run(merge);

        first.ExitCode.Should().Be(0, first.Error);
        Directory.Exists(output + ".merging").Should().BeFalse("the staging folder is moved into place");
        second.ExitCode.Should().Be(2);
        second.Error.Should().Contain("the folder exists and is not empty; give a new folder");
        File.ReadAllBytes(Path.Combine(output, "model.safetensors")).Should().Equal(written, "the first merge is kept");
    }

    [Fact]
    public async Task Bad_arguments_exit_2_naming_the_argument_and_write_nothing()
    {
        var a = SaveLora("a", 7);
        var b = SaveLora("b", 8);
        var output = folder.Combine("never");
        string[] both = ["merge", "--model", model, "--adapter", a.Folder, "--adapter", b.Folder, "--out", output];

        var cases = new (string[] Args, string Expected)[]
        {
            (["merge", "--model", model, "--adapter", a.Folder, "--out", output], "--adapter: expected at least two adapters"),
            ([.. both, "--weights", "0.5", "0.3", "0.2"], "--weights: expected one weight per --adapter (2), got 3"),
            ([.. both, "--density", "0"], "--density: expected a fraction in (0, 1]"),
            ([.. both, "--density", "1.5"], "--density: expected a fraction in (0, 1]"),
            ([.. both, "--method", "median"], "--method: no merge method named 'median'; available: cat, linear, svd, ties"),
            ([.. both, "--head-from", "3"], "--head-from: expected an adapter's place from 1 to 2, got 3"),
            ([.. both, "--lora-factors"], "--lora-factors: combines LoRA factors as PEFT's linear does; it goes with --method linear, not ties"),
            ([.. both, "--method", "linear", "--lora-factors", "--weights", "1", "-1"], "--weights: --lora-factors scales both factors"),
            ([.. both[..^2], "--adapter", SavePrompt(), "--out", output], "a soft-prompt adapter (prompt-tuning)"),
            ([.. both[..^2], "--adapter", SaveDeeperLora(), "--out", output], "a model of another shape"),
        };
        foreach (var (args, expected) in cases)
        {
            var result = await PeftqaCli.Run(args);
            result.ExitCode.Should().Be(2, string.Join(' ', args));
            result.Error.Should().Contain(expected);
            Directory.Exists(output).Should().BeFalse("nothing is written on bad input");
        }
    }

    private string SavePrompt()
    {
        using var loaded = Checkpoint.Load(model, NullLogger.Instance).Model;
        var strategy = new PromptTuningStrategy();
        var options = new PromptTuningOptions { VirtualTokens = 2, Init = "random" };
        using var adapter = strategy.Attach(loaded, options);
        var saved = folder.Combine("prompt");
        AdapterFolder.Save(adapter, strategy, options, loaded.Description, saved);
        return saved;
    }

    private string SaveDeeperLora()
    {
        using var twoLayers = Checkpoint.Load(model, NullLogger.Instance).Model;
        using var deeper = new BertForQuestionAnswering(twoLayers.Config with { NumHiddenLayers = 3 }, "three-layers");
        var strategy = new LoraStrategy();
        using var adapter = strategy.Attach(deeper, QueryValue);
        var saved = folder.Combine("deeper");
        AdapterFolder.Save(adapter, strategy, QueryValue, deeper.Description, saved);
        return saved;
    }
}
