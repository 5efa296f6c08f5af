using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// BERT with a span head (Hugging Face BertForQuestionAnswering): <c>qa_outputs</c> maps each token's hidden state
/// to a start and an end logit. Parameter names match Hugging Face's one to one. Implements the extension points
/// adapter strategies use.
/// </summary>
public sealed class BertForQuestionAnswering : BertModule, IAdaptableModel
{
    /// <summary>The span head's module name, as Hugging Face names it.</summary>
    public const string HeadModuleName = "qa_outputs";

    private readonly Linear qaOutputs;
    private IReadOnlyDictionary<string, IAdaptableLinear>? linears;

    /// <param name="generator">
    /// Where the initial weights are drawn from; libtorch's process-wide generator when null. A private generator makes
    /// the weights depend on its seed alone, whatever else draws random numbers meanwhile (another thread, for one).
    /// </param>
    public BertForQuestionAnswering(BertConfig config, string baseModel = "", Generator? generator = null)
        : base(nameof(BertForQuestionAnswering))
    {
        Config = config;
        Bert = new BertModel(config);
        qaOutputs = nn.Linear(config.HiddenSize, 2);
        register_module("bert", Bert);
        register_module(HeadModuleName, qaOutputs);
        Description = config.Describe(baseModel) with { HeadModuleName = HeadModuleName };
        foreach (var (name, module) in named_modules())
            if (module is AdaptableLinear linear) linear.Name = name;
        InitializeWeights(this, config, generator);
    }

    public BertConfig Config { get; }

    public BertModel Bert { get; }

    public ModelDescription Description { get; }

    public IVirtualTokenSource? VirtualTokens { get; set; }

    public IAttentionPrefixSource? AttentionPrefixes { get; set; }

    /// <summary>Listed afresh on each call: moving the model to a device replaces its parameters.</summary>
    public IReadOnlyList<NamedParameter> NamedParameters =>
        named_parameters().Select(p => new NamedParameter(p.name, p.parameter)).ToList();

    public IReadOnlyList<NamedParameter> HeadParameters =>
        qaOutputs.named_parameters().Select(p => new NamedParameter($"{HeadModuleName}.{p.name}", p.parameter)).ToList();

    public Device Device => qaOutputs.weight!.device;

    public ScalarType ParameterDType => qaOutputs.weight!.dtype;

    /// <summary>
    /// The dtype the Linear layers' products and attention run in: the parameters' own unless
    /// <see cref="UseComputeDType"/> set bf16.
    /// </summary>
    public ScalarType ComputeDType => computeDType ?? ParameterDType;

    private ScalarType? computeDType;

    /// <summary>
    /// Mixed precision: with bf16 the encoder's Linear layers (and so attention) compute in bf16 while parameters stay
    /// fp32; embeddings, LayerNorm, the QA head and the loss stay fp32. The parameters' dtype: full precision.
    /// </summary>
    public void UseComputeDType(ScalarType dtype)
    {
        computeDType = dtype == ParameterDType ? null : dtype;
        foreach (var linear in Linears.Values.Cast<AdaptableLinear>()) linear.ComputeDType = computeDType;
    }

    /// <summary>True for a parameter of the span head, named as <see cref="NamedParameters"/> names it.</summary>
    public static bool IsHeadParameter(string name) => name.StartsWith(HeadModuleName + ".", StringComparison.Ordinal);

    public IReadOnlyDictionary<string, IAdaptableLinear> Linears =>
        linears ??= named_modules().Where(m => m.module is AdaptableLinear)
            .ToDictionary(m => m.name, m => (IAdaptableLinear)m.module, StringComparer.Ordinal);

    /// <summary>Overrides attention_probs_dropout_prob for training (see <see cref="BertSelfAttention.AttentionDropout"/>).</summary>
    public void SetAttentionDropout(double probability)
    {
        foreach (var layer in Bert.Encoder.Layers) layer.Attention.Self.AttentionDropout = probability;
    }

    /// <summary>Overrides hidden_dropout_prob for training: the embeddings' dropout and both of every layer's.</summary>
    public void SetHiddenDropout(double probability)
    {
        Bert.Embeddings.HiddenDropout = probability;
        foreach (var layer in Bert.Encoder.Layers)
        {
            layer.Attention.Output.HiddenDropout = probability;
            layer.Output.HiddenDropout = probability;
        }
    }

    public Tensor EmbedTokens(Tensor inputIds) => Bert.Embeddings.EmbedWords(inputIds);

    /// <summary>Set by whoever loads the model with its vocabulary (the host does).</summary>
    public Func<string, IReadOnlyList<int>>? TextTokenizer { get; set; }

    public IReadOnlyList<int> TokenIds(string text) =>
        (TextTokenizer ?? throw new InvalidOperationException("this model was loaded without its tokenizer"))(text);

    public bool IsTraining => training;

    /// <summary>Start and end logits [batch, length] for the real tokens (virtual tokens are cut off).</summary>
    public (Tensor Start, Tensor End) Forward(Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds)
    {
        var hidden = Bert.Forward(inputIds, attentionMask, tokenTypeIds, VirtualTokens, AttentionPrefixes);
        if (VirtualTokens is { Count: > 0 } virtualTokens)
            hidden = hidden.narrow(1, virtualTokens.Count, inputIds.shape[1]);
        var logits = qaOutputs.forward(hidden);
        return (logits.select(-1, 0), logits.select(-1, 1));
    }

    /// <summary>The encoder's output at the [CLS] position, [batch, hidden] (after any virtual tokens): a summary of each window.</summary>
    public Tensor EncodeCls(Tensor inputIds, Tensor? attentionMask, Tensor? tokenTypeIds)
    {
        var hidden = Bert.Forward(inputIds, attentionMask, tokenTypeIds, VirtualTokens, AttentionPrefixes);
        return hidden.select(1, VirtualTokens?.Count ?? 0);
    }

    /// <summary>
    /// Hugging Face's span loss: the mean of the start and end cross-entropies; positions outside the sequence are
    /// clamped to its length and ignored.
    /// </summary>
    public static Tensor Loss(Tensor startLogits, Tensor endLogits, Tensor startPositions, Tensor endPositions)
    {
        long ignored = startLogits.shape[1];
        var startLoss = nn.functional.cross_entropy(startLogits, startPositions.clamp(0, ignored), ignore_index: ignored);
        var endLoss = nn.functional.cross_entropy(endLogits, endPositions.clamp(0, ignored), ignore_index: ignored);
        return (startLoss + endLoss) / 2;
    }

    /// <summary>Hugging Face's BertPreTrainedModel._init_weights: normal(0, initializer_range) weights, zero biases, unit LayerNorms.</summary>
    internal static void InitializeWeights(nn.Module root, BertConfig config, Generator? generator = null)
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in root.named_parameters())
        {
            if (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)) parameter.fill_(1);
            else if (name.EndsWith(".bias", StringComparison.Ordinal)) parameter.zero_();
            else parameter.normal_(0, config.InitializerRange, generator);
            if (name.EndsWith("word_embeddings.weight", StringComparison.Ordinal)) parameter[config.PadTokenId].zero_();
        }
    }

    /// <summary>Re-initialises the QA head as Hugging Face does for a base checkpoint that has none.</summary>
    internal void InitializeHead()
    {
        using var _ = no_grad();
        qaOutputs.weight!.normal_(0, Config.InitializerRange);
        qaOutputs.bias!.zero_();
    }
}
