using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Plugins.Continual;
using PeftQa.Plugins.Lora;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.BundledPlugins.Continual;

/// <summary>Pairing checks measure the real shape; adapters meet only the model they were made for.</summary>
[Collection(SerialCollection.Name)]
public sealed class AdapterPairingTests
{
    [Fact]
    public void Lora_of_any_rank_that_fits_the_model_pairs_with_per_task_adapters_and_o_lora()
    {
        foreach (int r in (int[])[4, 16, 64])
        {
            var traits = new LoraStrategy().Traits(new LoraOptions { R = r });

            traits.Should().Match<AdapterTraits>(t => !t.TrainsBaseWeights && t.CanAttachSeveral, $"r {r}");
            new PerTaskAdaptersStrategy().Validate(new PerTaskAdaptersOptions(), traits).Should().BeEmpty();
            new OLoraStrategy().Validate(new OLoraOptions(), traits).Should().BeEmpty();
        }
    }

    private sealed class RefusingOptions;

    private sealed class RefusingStrategy : AdapterStrategy<RefusingOptions>
    {
        public int Attaches { get; private set; }
        public override string Name => "refusing";
        public override string Description => "Attach always fails, as a buggy third-party strategy might.";
        protected override AdapterTraits Traits(RefusingOptions options) => new() { TrainsBaseWeights = false, CanAttachSeveral = true, Needs = ModelNeeds.LinearExtensions };
        protected override IAdapter Attach(IAdaptableModel model, RefusingOptions options)
        {
            Attaches++;
            throw new InvalidOperationException("the widget is not calibrated");
        }
    }

    [Fact]
    public void Pairing_checks_use_the_strategys_declared_traits_without_attaching_it()
    {
        var refusing = new RefusingStrategy();

        var traits = refusing.Traits(new RefusingOptions());

        traits.Strategy.Should().Be("refusing", "the host fills in the name for messages");
        traits.TrainsBaseWeights.Should().BeFalse("a strategy that fails to attach is no longer mistaken for one that trains base weights");
        new PerTaskAdaptersStrategy().Validate(new PerTaskAdaptersOptions(), traits).Should().BeEmpty();
        refusing.Attaches.Should().Be(0);
    }

    [Fact]
    public async Task A_lora_r16_recipe_with_per_task_adapters_and_o_lora_passes_the_dry_run()
    {
        using var folder = new TemporaryFolder();
        var (_, model, data) = TinyRuns.Create(folder);
        var recipe = folder.WriteFile("r16.json", TinyRuns.SquadRecipe(model, data, """[{ "strategy": "lora", "options": { "r": 16 } }]""")
            .Replace("\"training\":", "\"continual\": [{ \"strategy\": \"per-task-adapters\" }, { \"strategy\": \"o-lora\" }], \"training\":"));

        var result = await PeftqaCli.Run("run", recipe, "--dry-run", "--device", "cpu");

        result.ExitCode.Should().Be(0, result.Error);
    }

    [Fact]
    public async Task An_adapter_from_a_deeper_model_is_refused_unless_mismatches_are_ignored()
    {
        using var folder = new TemporaryFolder();
        var twoLayers = TinyCheckpoint.Create(folder.Combine("two-layers"), TinyRuns.Vocabulary);
        var deeper = Checkpoint.Load(twoLayers, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Model.Config with { NumHiddenLayers = 3 };
        var adapterFolder = folder.Combine("adapter");
        var queryValue = new LoraOptions { R = 8, Alpha = 8, TargetModules = ["query", "value"] };
        using (var model = new BertForQuestionAnswering(deeper, "three-layers"))
        using (var adapter = new LoraStrategy().Attach(model, queryValue))
            AdapterFolder.Save(adapter, new LoraStrategy(), queryValue, model.Description, adapterFolder);
        string[] predict = ["predict", "--model", twoLayers, "--adapter", adapterFolder, "--question", "What is the capital?", "--context", "Paris is the capital.", "--device", "cpu"];

        var refused = await PeftqaCli.Run(predict);
        var ignored = await PeftqaCli.Run([.. predict, "--ignore-mismatched"]);
        var descriptor = Path.Combine(adapterFolder, AdapterFolder.DescriptorFile);
        var json = JsonNode.Parse(File.ReadAllText(descriptor))!.AsObject();
        json.Remove("base_model_shape");
        File.WriteAllText(descriptor, json.ToJsonString());
        var unexpected = await PeftqaCli.Run(predict);

        refused.ExitCode.Should().Be(2);
        refused.Error.Should().Contain("this adapter was trained on three-layers, a model of another shape").And.Contain("num_hidden_layers 3 -> 2")
            .And.Contain("--ignore-mismatched");
        ignored.ExitCode.Should().Be(0, ignored.Error);
        ignored.Error.Should().Contain("loading what fits").And.Contain("tensor(s) that this model");
        unexpected.ExitCode.Should().Be(2, "tensors the model has no place for are an error, as missing ones are");
        unexpected.Error.Should().Contain("adapter_model.safetensors: 4 tensor(s) that this model").And.Contain("encoder.layer.2.");
    }
}
