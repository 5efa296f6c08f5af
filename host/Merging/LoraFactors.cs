using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;
using static TorchSharp.torch;

namespace PeftQa.Host.Merging;

/// <summary>
/// A LoRA adapter as PEFT's files hold it: per module its factors A [r, in] and B [out, r] and its scaling, plus the
/// other tensors it saves (the QA head of <c>modules_to_save</c>). What <c>cat</c> concatenates.
/// </summary>
public sealed class LoraFactors : IDisposable
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";
    public const string PeftPrefix = "base_model.model.";
    private const string ASuffix = ".lora_A.weight";
    private const string BSuffix = ".lora_B.weight";

    private LoraFactors(IReadOnlyDictionary<string, (Tensor A, Tensor B)> pairs, IReadOnlyDictionary<string, Tensor> others, double scaling)
    {
        Pairs = pairs;
        Others = others;
        Scaling = scaling;
    }

    /// <summary>Per module name (<c>bert.encoder.layer.0.attention.self.query</c>), its A and B.</summary>
    public IReadOnlyDictionary<string, (Tensor A, Tensor B)> Pairs { get; }

    /// <summary>The other saved tensors by parameter name (<c>qa_outputs.weight</c>).</summary>
    public IReadOnlyDictionary<string, Tensor> Others { get; }

    /// <summary>lora_alpha / r, or / sqrt(r) with rsLoRA.</summary>
    public double Scaling { get; }

    /// <summary>The r of the PEFT LoRA config in <paramref name="folder"/>; null when there is none or it is not a LoRA's.</summary>
    public static int? RankOf(string folder)
    {
        try
        {
            var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, ConfigFile))) as JsonObject;
            return config?["peft_type"]?.ToString() == "LORA" && config["r"] is JsonValue r && r.TryGetValue<int>(out var rank) ? rank : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// The LoRA in <paramref name="folder"/>, or null when the folder holds no PEFT LoRA config. A DoRA adapter, or one
    /// that trains biases, is refused: its change is not the product of its factors, so concatenating them loses it.
    /// </summary>
    public static LoraFactors? Read(string folder, string usedAt)
    {
        var configPath = Path.Combine(folder, ConfigFile);
        if (!File.Exists(configPath)) return null;
        JsonObject config;
        try
        {
            config = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject
                ?? throw new BadInputException($"{usedAt}: {configPath}: expected a JSON object");
        }
        catch (JsonException e) { throw new BadInputException($"{usedAt}: {configPath}: not valid JSON: {e.Message}"); }
        if (config["peft_type"]?.ToString() != "LORA") return null;
        if (config["use_dora"]?.GetValue<bool>() == true)
            throw new BadInputException(
                $"{usedAt}: a DoRA adapter's change is not the product of its factors, so cat cannot join it; use svd or ties");
        if (config["bias"]?.ToString() is { } bias && bias != "none")
            throw new BadInputException(
                $"{usedAt}: the adapter trains biases (bias '{bias}'), which a LoRA's factors cannot carry; use a method that writes a model");
        int r = config["r"]?.GetValue<int>() ?? throw new BadInputException($"{usedAt}: {configPath}: $.r: required field is missing");
        double alpha = config["lora_alpha"]?.GetValue<double>() ?? r;
        bool rsLora = config["use_rslora"]?.GetValue<bool>() ?? false;
        var tensors = SafeTensors.Load(Path.Combine(folder, WeightsFile));
        var named = tensors.ToDictionary(
            t => t.Key.StartsWith(PeftPrefix, StringComparison.Ordinal) ? t.Key[PeftPrefix.Length..] : t.Key, t => t.Value);
        var pairs = named.Keys.Where(k => k.EndsWith(ASuffix, StringComparison.Ordinal)).ToDictionary(
            k => k[..^ASuffix.Length],
            k => (named[k], named.GetValueOrDefault(k[..^ASuffix.Length] + BSuffix)
                            ?? throw new BadInputException($"{usedAt}: {k} has no {BSuffix[1..]} beside it")), StringComparer.Ordinal);
        var others = named.Where(t => !t.Key.EndsWith(ASuffix, StringComparison.Ordinal) && !t.Key.EndsWith(BSuffix, StringComparison.Ordinal))
            .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        return new LoraFactors(pairs, others, rsLora ? alpha / Math.Sqrt(r) : alpha / r);
    }

    /// <summary>
    /// PEFT's <c>cat</c>: one LoRA whose factors stack every adapter's, A rows [sum r, in] and B columns [out, sum r], with
    /// each adapter's weight and scaling folded into its B, so the result at scaling 1 adds exactly sum w_i s_i B_i A_i.
    /// A module an adapter does not target contributes zero factors of its rank.
    /// </summary>
    public static Dictionary<string, (Tensor A, Tensor B)> Concatenate(IReadOnlyList<LoraFactors> adapters, IReadOnlyList<double> weights)
    {
        var modules = adapters.SelectMany(a => a.Pairs.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, (Tensor A, Tensor B)>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            var template = adapters.First(a => a.Pairs.ContainsKey(module)).Pairs[module];
            var aParts = new List<Tensor>();
            var bParts = new List<Tensor>();
            for (int i = 0; i < adapters.Count; i++)
            {
                long rank = Math.Max(adapters[i].Rank, 1);
                if (adapters[i].Pairs.TryGetValue(module, out var pair))
                {
                    aParts.Add(pair.A);
                    bParts.Add(pair.B * (weights[i] * adapters[i].Scaling));
                }
                else
                {
                    aParts.Add(zeros(rank, template.A.shape[1], dtype: template.A.dtype));
                    bParts.Add(zeros(template.B.shape[0], rank, dtype: template.B.dtype));
                }
            }
            result[module] = (cat(aParts, 0), cat(bParts, 1));
        }
        return result;
    }

    /// <summary>
    /// PEFT's <c>linear</c> for LoRAs of one rank: A = sum sqrt(w_i s_i) A_i and B = sum sqrt(w_i s_i) B_i at scaling 1.
    /// Not the weighted sum of the deltas: B A has the cross terms B_i A_j, which PEFT accepts for a LoRA of the same size.
    /// </summary>
    public static Dictionary<string, (Tensor A, Tensor B)> CombineFactors(IReadOnlyList<LoraFactors> adapters, IReadOnlyList<double> weights)
    {
        var modules = adapters.SelectMany(a => a.Pairs.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var result = new Dictionary<string, (Tensor A, Tensor B)>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            var template = adapters.First(a => a.Pairs.ContainsKey(module)).Pairs[module];
            var a = zeros_like(template.A);
            var b = zeros_like(template.B);
            for (int i = 0; i < adapters.Count; i++)
            {
                if (!adapters[i].Pairs.TryGetValue(module, out var pair)) continue;
                double root = Math.Sqrt(weights[i] * adapters[i].Scaling);
                a.add_(pair.A, alpha: root);
                b.add_(pair.B, alpha: root);
            }
            result[module] = (a, b);
        }
        return result;
    }

    /// <summary>The rank of this adapter's pairs (they share one).</summary>
    public long Rank => Pairs.Values.Select(p => p.A.shape[0]).DefaultIfEmpty(0).Max();

    public void Dispose()
    {
        foreach (var (a, b) in Pairs.Values)
        {
            a.Dispose();
            b.Dispose();
        }
        foreach (var tensor in Others.Values) tensor.Dispose();
    }
}
