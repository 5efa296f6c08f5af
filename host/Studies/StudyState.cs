using System.Text.Json;
using PeftQa.Host.Foundation;
using PeftQa.Host.Training;

namespace PeftQa.Host.Studies;

/// <summary>
/// A study's progress on disk (<c>study-state.json</c>), rewritten atomically after the baseline and after each task,
/// so an interrupted study resumes at the task where it stopped without retraining finished tasks.
/// </summary>
public sealed class StudyState
{
    public List<Dictionary<string, double>>? Baseline { get; set; }

    public List<List<Dictionary<string, double>>> AfterTask { get; set; } = [];

    /// <summary>
    /// Each retention task's scores before training (the run's baseline), kept with the study so its result is complete
    /// on its own.
    /// </summary>
    public List<Dictionary<string, double>>? RetentionBaseline { get; set; }

    /// <summary>Per stage (after each trained task), each retention task's scores.</summary>
    public List<List<Dictionary<string, double>>> RetentionAfterTask { get; set; } = [];

    public List<TrainingSummary> Training { get; set; } = [];

    /// <summary>
    /// With routing by content: per stage, per task, the percentage of evaluation windows routed to their own task
    /// (null for tasks not trained yet).
    /// </summary>
    public List<List<double?>>? RoutingAccuracy { get; set; }

    /// <summary>The study whose weights this one adopted instead of training (a folder relative to the run folder); null: it trained.</summary>
    public string? TrainingReusedFrom { get; set; }

    public int CompletedTasks => AfterTask.Count;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <exception cref="BadInputException">The file is damaged: names it and says what to do.</exception>
    public static StudyState LoadOrNew(string path)
    {
        if (!File.Exists(path)) return new StudyState();
        try { return JsonSerializer.Deserialize<StudyState>(File.ReadAllText(path), Json) ?? throw new JsonException("null"); }
        catch (JsonException e)
        {
            throw new BadInputException($"{path}: damaged ({e.Message.Split(" Path:")[0].TrimEnd('.')}); " +
                                        "it records which of the study's tasks are finished: " +
                                        $"delete the study's folder ({Path.GetDirectoryName(path)}) to run that study again from its start, " +
                                        "then --resume");
        }
    }

    public void Save(string path)
    {
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }
}
