using PeftQa.Abstractions;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Tests.Support;

/// <summary>
/// A minimal stand-in with Hugging Face parameter names (embeddings, two layers' query, a QA head), for testing
/// strategies' choice of trainable parameters without a real encoder.
/// </summary>
public sealed class TinyAdaptableModel : IAdaptableModel
{
    private readonly List<NamedParameter> parameters = [];

    public TinyAdaptableModel(int layers = 2, int hidden = 4)
    {
        Add("bert.embeddings.word_embeddings.weight", 10, hidden);
        Add("bert.embeddings.LayerNorm.weight", hidden);
        Add("bert.embeddings.LayerNorm.bias", hidden);
        for (int layer = 0; layer < layers; layer++)
        {
            Add($"bert.encoder.layer.{layer}.attention.self.query.weight", hidden, hidden);
            Add($"bert.encoder.layer.{layer}.attention.self.query.bias", hidden);
        }
        Add("qa_outputs.weight", 2, hidden);
        Add("qa_outputs.bias", 2);
        Description = new ModelDescription("tiny", hidden, layers, 1, hidden * 4, 10, 32);
    }

    public ModelDescription Description { get; }

    public IReadOnlyList<NamedParameter> NamedParameters => parameters;

    public IReadOnlyList<NamedParameter> HeadParameters => parameters.Where(p => p.Name.StartsWith("qa_outputs.", StringComparison.Ordinal)).ToList();

    public Device Device => parameters[0].Parameter.device;

    public ScalarType ParameterDType => parameters[0].Parameter.dtype;

    public IReadOnlyDictionary<string, IAdaptableLinear> Linears { get; } = new Dictionary<string, IAdaptableLinear>();

    public IVirtualTokenSource? VirtualTokens { get; set; }

    public IAttentionPrefixSource? AttentionPrefixes { get; set; }

    public Tensor EmbedTokens(Tensor inputIds) =>
        parameters[0].Parameter.index_select(0, inputIds.flatten()).reshape([.. inputIds.shape, Description.HiddenSize]);

    public IReadOnlyList<int> TokenIds(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => 4 + Math.Abs(w.GetHashCode()) % 6).ToList();

    public bool IsTraining => false;

    private void Add(string name, params long[] shape) => parameters.Add(new NamedParameter(name, new Parameter(randn(shape))));
}
