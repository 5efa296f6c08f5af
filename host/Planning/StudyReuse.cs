using PeftQa.Host.Foundation;
using PeftQa.Host.Studies;

namespace PeftQa.Host.Planning;

/// <summary>
/// No training done twice: a study that trains exactly as an earlier study of the run (<see cref="StudyPlan.TrainingKey"/>)
/// adopts that study's weights, and a searched method's study with the winning candidate's seed adopts the candidate's.
/// Every study that another may adopt from keeps its state after every task.
/// </summary>
public static class StudyReuse
{
    /// <summary>A selection candidate's folder, relative to the run folder.</summary>
    public static string CandidateFolder(StudyPlan candidate) =>
        Path.Combine(RunFolderFiles.SelectionFolder, RunFolderFiles.StudiesFolder, FolderNames.For(candidate.Label));

    /// <summary>The studies, each that trains as an earlier one marked to adopt that one's weights (and that one to keep them).</summary>
    public static IReadOnlyList<StudyPlan> Mark(IReadOnlyList<StudyPlan> studies)
    {
        var marked = studies.ToList();
        var firstByKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < marked.Count; i++)
        {
            if (marked[i].ChooseFrom is not null || marked[i].ReusesTrainingOf is not null) continue;
            var key = marked[i].TrainingKey();
            if (!firstByKey.TryGetValue(key, out int first))
            {
                firstByKey[key] = i;
                continue;
            }
            marked[first] = marked[first] with { KeepsEveryStage = true };
            marked[i] = marked[i] with
            {
                ReusesTrainingOf = Path.Combine(RunFolderFiles.StudiesFolder, FolderNames.For(marked[first].Label)),
            };
        }
        return marked;
    }
}
