using System.Text.Json;
using System.Text.Json.Serialization;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Modeling;

/// <summary>A BERT configuration with Hugging Face's <c>config.json</c> field names and defaults.</summary>
public sealed record BertConfig
{
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; } = 30522;
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; } = 768;
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; } = 12;
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; } = 12;
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; } = 3072;
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "gelu";
    [JsonPropertyName("hidden_dropout_prob")] public double HiddenDropoutProb { get; init; } = 0.1;
    [JsonPropertyName("attention_probs_dropout_prob")] public double AttentionProbsDropoutProb { get; init; } = 0.1;
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 512;
    [JsonPropertyName("type_vocab_size")] public int TypeVocabSize { get; init; } = 2;
    [JsonPropertyName("initializer_range")] public double InitializerRange { get; init; } = 0.02;
    [JsonPropertyName("layer_norm_eps")] public double LayerNormEps { get; init; } = 1e-12;
    [JsonPropertyName("pad_token_id")] public int PadTokenId { get; init; }
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "bert";
    [JsonPropertyName("architectures")] public List<string>? Architectures { get; init; }

    public int HeadSize => HiddenSize / NumAttentionHeads;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public ModelDescription Describe(string baseModel) =>
        new(baseModel, HiddenSize, NumHiddenLayers, NumAttentionHeads, IntermediateSize, VocabSize, MaxPositionEmbeddings);

    /// <summary>Reads and checks a Hugging Face config.json; problems name the file and the field.</summary>
    public static BertConfig Load(string path)
    {
        if (!File.Exists(path)) throw new BadInputException($"{path}: file not found (a Hugging Face checkpoint folder has config.json)");
        BertConfig config;
        try
        {
            config = JsonSerializer.Deserialize<BertConfig>(File.ReadAllText(path), Json)
                     ?? throw new BadInputException($"{path}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: {(e.Path is { } p ? p + ": " : "")}not a valid config: {Reason(e)}");
        }
        var problems = config.Problems().Select(p => $"{path}: {p}").ToList();
        if (problems.Count > 0) throw new BadInputException(problems);
        return config;
    }

    /// <summary>What a field takes, in words, where .NET's message would name a .NET type ("could not be converted to System.Int32").</summary>
    private static string Reason(JsonException e)
    {
        var field = typeof(BertConfig).GetProperties().FirstOrDefault(p => e.Path == "$." + JsonName(p));
        var type = field is null ? null : Nullable.GetUnderlyingType(field.PropertyType) ?? field.PropertyType;
        return type == typeof(int) ? "expected a whole number"
            : type == typeof(double) ? "expected a number"
            : type == typeof(string) ? "expected a string"
            : type == typeof(List<string>) ? "expected a list of strings"
            : e.Message.Split(" Path:")[0];
    }

    private static string? JsonName(System.Reflection.PropertyInfo property) =>
        property.GetCustomAttributes(typeof(JsonPropertyNameAttribute), false).OfType<JsonPropertyNameAttribute>().FirstOrDefault()?.Name;

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    private IEnumerable<string> Problems()
    {
        if (ModelType is not ("bert")) yield return $"$.model_type: expected \"bert\", got \"{ModelType}\"";
        if (HiddenSize <= 0 || NumAttentionHeads <= 0 || HiddenSize % NumAttentionHeads != 0)
            yield return $"$.hidden_size: {HiddenSize} is not a positive multiple of num_attention_heads ({NumAttentionHeads})";
        if (NumHiddenLayers <= 0) yield return $"$.num_hidden_layers: expected a positive integer, got {NumHiddenLayers}";
        if (IntermediateSize <= 0) yield return $"$.intermediate_size: expected a positive integer, got {IntermediateSize}";
        if (VocabSize <= 0) yield return $"$.vocab_size: expected a positive integer, got {VocabSize}";
        if (MaxPositionEmbeddings <= 0) yield return $"$.max_position_embeddings: expected a positive integer, got {MaxPositionEmbeddings}";
        if (HiddenAct is not ("gelu" or "gelu_new" or "gelu_pytorch_tanh" or "relu"))
            yield return $"$.hidden_act: expected gelu, gelu_new, gelu_pytorch_tanh or relu, got \"{HiddenAct}\"";
    }
}
