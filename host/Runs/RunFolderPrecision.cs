using System.Text.Json;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;

namespace PeftQa.Host.Runs;

/// <summary>
/// The precision a run resolved when it started (<c>precision.json</c>): <c>auto</c> depends on the CPU, so every later
/// process of the run (a resume, a shard, <c>--study</c>, <c>report</c>, <c>status</c>) reads it here rather than
/// resolving <c>auto</c> again on a host that may answer otherwise.
/// </summary>
public static class RunFolderPrecision
{
    public const string FileName = RunFolderFiles.PrecisionFile;

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void Write(string runFolder, ComputePrecision precision) =>
        AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), JsonSerializer.Serialize(precision, Options));

    /// <summary>The pinned precision; null where the folder has none (a new folder, or a run from before pinning).</summary>
    /// <exception cref="BadInputException">The file is damaged.</exception>
    public static ComputePrecision? Read(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ComputePrecision>(File.ReadAllText(path), Options) is { Reason: not null } precision
                ? precision : throw new JsonException("expected {\"requested\", \"used\", \"reason\"}");
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: damaged ({e.Message.Split(" Path:")[0]}); it records the precision the run started with " +
                                        "(\"used\": \"fp32\" or \"bf16\"): restore it, or start a new run");
        }
    }
}
