using System.Text.Json;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;
using static TorchSharp.torch;

namespace PeftQa.Host.Training;

/// <summary>
/// A training checkpoint folder: the trainable weights (safetensors, by parameter name), the optimizer state, and
/// <c>trainer-state.json</c> (step, data position, seed, RNG state). Written into a temporary folder and renamed into
/// place, so a folder named <c>checkpoint-NNNNNNN</c> is always complete; a crash leaves at most a temporary folder,
/// which <see cref="Latest"/> ignores and the next write removes.
/// </summary>
public static class TrainingCheckpoint
{
    public const string Prefix = "checkpoint-";
    private const string WeightsFile = "trainable.safetensors";
    private const string OptimizerFile = "optimizer.bin";
    private const string StateFile = "trainer-state.json";
    private const string BestFolder = "best";
    private const string BestStepFile = "best-step.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string Save(
        string folder, TrainerState state, IReadOnlyList<NamedParameter> trainable, TorchSharp.Modules.AdamW optimizer, int keep)
    {
        Directory.CreateDirectory(folder);
        foreach (var stale in Directory.GetDirectories(folder, "." + Prefix + "*")) Directory.Delete(stale, recursive: true);
        var final = Path.Combine(folder, $"{Prefix}{state.Step:D7}");
        var temporary = Path.Combine(folder, $".{Prefix}{state.Step:D7}.tmp-{Environment.ProcessId}");
        Directory.CreateDirectory(temporary);
        SafeTensors.Save(Path.Combine(temporary, WeightsFile), trainable.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Parameter)));
        optimizer.save_state_dict(Path.Combine(temporary, OptimizerFile));
        File.WriteAllText(Path.Combine(temporary, StateFile), JsonSerializer.Serialize(state, Json));
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(temporary, final);
        foreach (var old in Complete(folder).SkipLast(keep)) Directory.Delete(old, recursive: true);
        return final;
    }

    /// <summary>
    /// Keeps the trainable weights of early stopping's best step in <c>best/</c> beside the checkpoints (written into a
    /// temporary folder and renamed, like a checkpoint), replacing the earlier best.
    /// </summary>
    public static void SaveBest(string folder, int step, IReadOnlyList<NamedParameter> trainable)
    {
        Directory.CreateDirectory(folder);
        var final = Path.Combine(folder, BestFolder);
        var temporary = Path.Combine(folder, $".{BestFolder}.tmp-{Environment.ProcessId}");
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        SafeTensors.Save(Path.Combine(temporary, WeightsFile), trainable.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Parameter)));
        File.WriteAllText(Path.Combine(temporary, BestStepFile), JsonSerializer.Serialize(new { step }));
        if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
        Directory.Move(temporary, final);
    }

    /// <summary>Loads the best step's weights into the trainable parameters.</summary>
    /// <exception cref="BadInputException">They are missing, damaged or of another step than early stopping's record says.</exception>
    public static void LoadBest(string folder, int step, IReadOnlyList<NamedParameter> trainable)
    {
        var best = Path.Combine(folder, BestFolder);
        try
        {
            int saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(best, BestStepFile))).RootElement.GetProperty("step").GetInt32();
            if (saved != step) throw new InvalidDataException($"it holds step {saved}, not the best step {step}");
            AdapterFiles.LoadParameters(Path.Combine(best, WeightsFile), trainable.Select(p => (p.Name, p.Parameter)),
                $"{trainable.Count} trainable tensors", "the weights belong to another recipe or strategy");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new BadInputException($"{best}: early stopping's best weights cannot be loaded ({FirstLine(e.Message)}); " +
                                        $"delete {folder} and run --resume again to train the task from its start");
        }
    }

    /// <summary>The newest complete checkpoint in <paramref name="folder"/>, or null.</summary>
    public static string? Latest(string folder) => Directory.Exists(folder) ? Complete(folder).LastOrDefault() : null;

    /// <exception cref="BadInputException">The checkpoint is damaged (a truncated file, a disk error): names it and says what to do.</exception>
    public static TrainerState Load(string checkpoint, IReadOnlyList<NamedParameter> trainable, TorchSharp.Modules.AdamW optimizer)
    {
        try
        {
            var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(checkpoint, StateFile)))
                ?? throw new InvalidDataException($"empty {StateFile}");
            AdapterFiles.LoadParameters(Path.Combine(checkpoint, WeightsFile), trainable.Select(p => (p.Name, p.Parameter)),
                $"{trainable.Count} trainable tensors", "the checkpoint belongs to another recipe or strategy");
            optimizer.load_state_dict(Path.Combine(checkpoint, OptimizerFile));
            return state;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new BadInputException($"{checkpoint}: cannot be loaded ({FirstLine(e.Message)}); " +
                                        "delete that folder and run --resume again to continue " +
                                        "from the checkpoint before it (or from the task's start if it was the only one)");
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Split(" Path:")[0].TrimEnd('.');

    public static string EncodeRng() => Convert.ToBase64String(get_rng_state().bytes.ToArray());

    public static void RestoreRng(string state)
    {
        var bytes = Convert.FromBase64String(state);
        using var tensor = empty(bytes.Length, ScalarType.Byte);
        tensor.bytes = bytes;
        set_rng_state(tensor);
    }

    private static IEnumerable<string> Complete(string folder) =>
        Directory.GetDirectories(folder, Prefix + "*")
            .Where(d => File.Exists(Path.Combine(d, StateFile)))
            .OrderBy(d => d, StringComparer.Ordinal);
}
