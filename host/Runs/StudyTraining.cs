using Microsoft.Extensions.Logging;
using PeftQa.Host.Planning;
using PeftQa.Host.Recipes;
using PeftQa.Host.Reporting;
using PeftQa.Host.Studies;
using PeftQa.Host.Training;

namespace PeftQa.Host.Runs;

/// <summary>
/// What a whole run and a shard share: the studies' context (with the baseline measured once per run folder), the
/// studies trained in order under their locks, and selection's choice on validation data.
/// </summary>
public sealed class StudyTraining(
    StudyRunner studyRunner,
    SelectionRunner selectionRunner,
    TrainingProgressDisplay progress,
    RunLogSink runLog,
    ILogger<StudyTraining> logger)
{
    /// <summary>What every study shares, with the baseline before training measured once for the run (or read back when resuming).</summary>
    public StudyContext ContextFor(PreparedRun prepared, string runFolder, bool resume, CancellationToken cancellation)
    {
        var recipe = prepared.Plan.Recipe;
        var trained = prepared.Tasks.Where(t => !t.Retention).ToList();
        var retention = prepared.Tasks.Where(t => t.Retention).ToList();
        var baseline = BaselineMeasurement.MeasureOrLoad(runFolder, resume, recipe.Model, prepared.Loaded.Directory, recipe.Seed,
            [.. trained, .. retention], prepared.Plan.Metrics, recipe.Evaluation, prepared.Tokenizer, prepared.Device, prepared.Plan.Precision,
            logger, cancellation);
        return new StudyContext(runFolder, prepared.Loaded.Directory, resume, recipe.Model, prepared.Device, prepared.Tokenizer, trained,
            prepared.Plan.Metrics, recipe.Evaluation, baseline.Take(trained.Count).ToList(), TensorBoardFor(runFolder, recipe.Training), progress)
        {
            Retention = retention,
            RetentionBaseline = baseline.Skip(trained.Count).ToList(),
            Precision = prepared.Plan.Precision,
        };
    }

    /// <summary>
    /// Runs <paramref name="studies"/> in order, whether a whole run's or a shard's. Every study's lock is taken first,
    /// before any work, so a second process given the same studies stops at once, naming the first.
    /// </summary>
    public void Train(RunPlan plan, IReadOnlyList<StudyPlan> studies, StudyContext context, Action<StudyResult>? finished,
        CancellationToken cancellation)
    {
        var locks = new List<RunFolderLock>();
        try
        {
            foreach (var study in studies)
                locks.Add(RunFolderLock.ForStudy(StudyFolder.For(context.RunFolder, study.Label), study.Label, runLog.Path));
            foreach (var study in studies)
            {
                var result = studyRunner.Run(study, context, cancellation);
                RecordContinual(plan, context, result);
                finished?.Invoke(result);
            }
        }
        finally
        {
            foreach (var studyLock in locks) studyLock.Dispose();
        }
    }

    /// <summary>Each searched method's winner, chosen on the validation sets in the run folder's <c>selection/</c>.</summary>
    public IReadOnlyDictionary<string, StudyPlan> Select(RunPlan plan, StudyContext context, CancellationToken cancellation)
    {
        var folder = Path.Combine(context.RunFolder, SelectionRunner.FolderName);
        var selectionContext = selectionRunner.ContextFor(context, plan.Recipe.Seed, TensorBoardFor(folder, plan.Recipe.Training), cancellation);
        return selectionRunner.Choose(plan.Studies, plan.Recipe.Selection!, selectionContext, cancellation);
    }

    /// <summary>The study's continual metrics in TensorBoard, beside its training curves.</summary>
    private static void RecordContinual(RunPlan plan, StudyContext context, StudyResult result) =>
        context.TensorBoard?.Continual(result.Label, result.Tasks.Count,
            ContinualSummary.Compute(result, plan.ContinualMetrics, ContinualSummary.ReportedScores)
                .SelectMany(c => c.Metrics.Where(m => m.Value.Value is not null).Select(m => (c.Score, m.Key, m.Value.Value!.Value))));

    private static TensorBoardLog? TensorBoardFor(string runFolder, TrainingSettings training) =>
        training.ReportTo.Contains("tensorboard") ? new TensorBoardLog(Path.Combine(runFolder, TensorBoardLog.FolderName)) : null;
}
