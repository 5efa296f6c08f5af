using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Plugins.SoftPrompt;

/// <summary>Prompt tuning: n trainable virtual-token embeddings before the input; backbone frozen, QA head trained.</summary>
public sealed class PromptTuningStrategy : AdapterStrategy<PromptTuningOptions>
{
    private static readonly string[] InitModes = ["random", "vocab", "text"];

    public override string Name => "prompt-tuning";

    /// <summary>Prompt tuning moves a few embeddings a long way: PEFT's examples use 3e-2.</summary>
    public override double? RecommendedLearningRate => 3e-2;

    public override string Description => "Prompt tuning: trainable virtual tokens prepended to the input embeddings; backbone frozen.";

    protected override IReadOnlyList<string> Validate(PromptTuningOptions options, ModelDescription model)
    {
        var problems = new List<string>();
        if (options.VirtualTokens <= 0) problems.Add($"virtualTokens: expected a positive integer, got {options.VirtualTokens}");
        int room = model.MaxPositionEmbeddings - (model.SequenceLength ?? 0);
        if (options.VirtualTokens > room)
            problems.Add($"virtualTokens: {options.VirtualTokens} virtual tokens plus windows of {model.SequenceLength ?? 0} tokens " +
                         $"exceed the model's {model.MaxPositionEmbeddings} positions; use at most {Math.Max(0, room)} or lower maxSequenceLength");
        if (!InitModes.Contains(options.Init)) problems.Add($"init: expected one of {string.Join(", ", InitModes)}, got '{options.Init}'");
        if (options.Init == "text" && string.IsNullOrWhiteSpace(options.InitText)) problems.Add("initText: required when init is \"text\"");
        return problems;
    }

    protected override IAdapter Attach(IAdaptableModel model, PromptTuningOptions options)
    {
        var problems = Validate(options, model.Description);
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        if (model.VirtualTokens is not null) throw new InvalidOperationException("the model already has virtual tokens attached");
        var device = model.Device;
        int n = options.VirtualTokens, hidden = model.Description.HiddenSize;
        Tensor initial;
        using (no_grad())
        {
            initial = options.Init switch
            {
                "random" => randn(n, hidden, dtype: model.ParameterDType, device: device),
                "text" => FromText(model, options.InitText!, n, device),
                _ => model.EmbedTokens(randint(1000, model.Description.VocabSize, [n], dtype: ScalarType.Int64, device: device)).detach().clone(),
            };
        }
        var head = model.FreezeAllButHead();
        var adapter = new PromptTuningAdapter(model, new Parameter(initial.to(model.ParameterDType)), head, options);
        model.VirtualTokens = adapter;
        return adapter;
    }

    /// <summary>The text's token embeddings, repeated or cut to n (PEFT's TEXT init).</summary>
    private static Tensor FromText(IAdaptableModel model, string text, int n, Device device)
    {
        var ids = model.TokenIds(text);
        if (ids.Count == 0) throw new ArgumentException($"initText \"{text}\" has no tokens");
        var repeated = Enumerable.Range(0, n).Select(i => (long)ids[i % ids.Count]).ToArray();
        return model.EmbedTokens(tensor(repeated, device: device)).detach().clone();
    }

    /// <summary>A disabled adapter gives the model's single slot back, so another can attach beside it.</summary>
    protected override AdapterTraits Traits(PromptTuningOptions options) =>
        new() { TrainsBaseWeights = false, CanAttachSeveral = true, Needs = ModelNeeds.VirtualTokens };

    public override object? ReadSavedOptions(string directory)
    {
        var config = PromptFiles.ReadConfig(directory, "PROMPT_TUNING");
        if (config is null) return null;
        return new PromptTuningOptions { VirtualTokens = PromptFiles.Value(config, "num_virtual_tokens", 20), Init = "random" };
    }
}
