using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;
using static TorchSharp.torch;

namespace PeftQa.Host.Merging;

/// <summary>
/// Writes a merged LoRA in PEFT's layout: adapter_config.json (r the factors' rank, lora_alpha = r so the scaling is 1,
/// the targeted modules by their last name, the QA head in modules_to_save) and adapter_model.safetensors with PEFT's keys.
/// peftqa's lora strategy and Python PEFT read it.
/// </summary>
public static class PeftLoraFolder
{
    public static void Write(string folder, IReadOnlyDictionary<string, (Tensor A, Tensor B)> factors, IReadOnlyDictionary<string, Tensor> head,
        ModelDescription model)
    {
        if (factors.Count == 0) throw new BadInputException("the merged adapter changes no Linear weight; there is nothing to write as a LoRA");
        int rank = (int)factors.Values.Max(f => f.A.shape[0]);
        var padded = factors.ToDictionary(f => f.Key, f => Pad(f.Value, rank), StringComparer.Ordinal);
        var tensors = padded.SelectMany(f => new[]
            {
                new KeyValuePair<string, Tensor>($"{LoraFactors.PeftPrefix}{f.Key}.lora_A.weight", f.Value.A),
                new KeyValuePair<string, Tensor>($"{LoraFactors.PeftPrefix}{f.Key}.lora_B.weight", f.Value.B),
            })
            .Concat(head.Select(h => new KeyValuePair<string, Tensor>(LoraFactors.PeftPrefix + h.Key, h.Value)))
            .OrderBy(t => t.Key, StringComparer.Ordinal);
        SafeTensors.Save(Path.Combine(folder, LoraFactors.WeightsFile), tensors, SafeTensors.Metadata(("format", "pt")));
        var targets = factors.Keys.Select(k => k.Split('.')[^1]).Distinct().Order(StringComparer.Ordinal).ToArray();
        AtomicFile.WriteAllText(Path.Combine(folder, LoraFactors.ConfigFile), Config(rank, targets, model)
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Every module at one rank: a smaller pair is padded with zero rows of A and zero columns of B, which add nothing.</summary>
    private static (Tensor A, Tensor B) Pad((Tensor A, Tensor B) pair, int rank)
    {
        long missing = rank - pair.A.shape[0];
        if (missing == 0) return pair;
        return (cat([pair.A, zeros(missing, pair.A.shape[1], dtype: pair.A.dtype)], 0),
                cat([pair.B, zeros(pair.B.shape[0], missing, dtype: pair.B.dtype)], 1));
    }

    private static JsonObject Config(int rank, string[] targets, ModelDescription model) => new()
    {
        ["peft_type"] = "LORA",
        ["task_type"] = "QUESTION_ANS",
        ["base_model_name_or_path"] = model.BaseModel,
        ["r"] = rank,
        ["lora_alpha"] = rank,
        ["lora_dropout"] = 0.0,
        ["target_modules"] = new JsonArray(targets.Select(t => (JsonNode?)t).ToArray()),
        ["bias"] = "none",
        ["use_rslora"] = false,
        ["use_dora"] = false,
        ["modules_to_save"] = new JsonArray(model.HeadModuleName),
        ["fan_in_fan_out"] = false,
        ["init_lora_weights"] = true,
        ["inference_mode"] = true,
    };
}
