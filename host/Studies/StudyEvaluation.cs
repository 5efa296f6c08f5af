using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;

namespace PeftQa.Host.Studies;

/// <summary>
/// Evaluates a study's model on every task after a stage, the way its learner routes: one model for all, the task's own
/// adapter, or the adapter its content is nearest to (and how often that was the task's own). Retention tasks are
/// evaluated too: with routing by task id, by the starting model (no task's adapter), which is what their id names.
/// </summary>
internal sealed class StudyEvaluation(StudySession session, StudyContext context, ILogger logger)
{
    /// <summary>The scores of the trained tasks and of the retention tasks after training through task <paramref name="trainedThrough"/>.</summary>
    public StageScores EvaluateAll(string stage, int trainedThrough, CancellationToken cancellation)
    {
        var learner = session.Learner;
        var trained = new List<Dictionary<string, double>>();
        var retention = new List<Dictionary<string, double>>();
        var routing = new double?[context.Tasks.Count];
        bool routesByContent = learner.Routing == EvaluationRouting.ByContent;
        var tasks = context.EvaluatedTasks;
        for (int j = 0; j < tasks.Count; j++)
        {
            bool isRetention = j >= context.Tasks.Count;
            ContentRouter? router = null;
            if (routesByContent) router = new ContentRouter(session.Model, learner, isRetention ? -1 : j);
            else if (learner.Routing == EvaluationRouting.ByTaskId) learner.Activate(isRetention ? null : j);
            var result = QaEvaluator.Evaluate(session.Model, tasks[j].Eval, context.Metrics, context.Evaluation, context.Tokenizer.PadId,
                context.Device, cancellation, EvaluationProgress.Logged(logger, $"{session.Study.Label} {stage}, task {tasks[j].Name}"),
                router is null ? null : router.Forward);
            (isRetention ? retention : trained).Add(result.Scores.ToDictionary());
            SaveAnswers(tasks[j], trainedThrough, result);
            if (router is not null && j <= trainedThrough) routing[j] = 100.0 * router.Correct / Math.Max(1, router.Windows);
            logger.LogInformation("{Study} {Stage}, {Kind} {Task}: {Scores}{Routing} ({Seconds:F1} s)",
                session.Study.Label, stage, isRetention ? "retention task" : "task", tasks[j].Name,
                string.Join(", ", result.Scores.Select(s => $"{s.Key} {s.Value:F2}")),
                RoutingNote(router, isRetention, j < routing.Length ? routing[j] : null), result.Seconds);
        }
        if (routesByContent) (session.State.RoutingAccuracy ??= []).Add([.. routing]);
        return new StageScores(trained, retention);
    }

    private static string RoutingNote(ContentRouter? router, bool isRetention, double? accuracy) =>
        router is null ? ""
        : isRetention ? $", routed to the starting model {100.0 * router.Correct / Math.Max(1, router.Windows):F1}%"
        : accuracy is { } own ? $", routed to its own adapter {own:F1}%" : "";

    /// <summary>
    /// Every question's answer beside its gold answers after this stage, and after the last task also where comparisons
    /// read them, for the bootstrap intervals.
    /// </summary>
    private void SaveAnswers(TaskData task, int trainedThrough, EvaluationResult result)
    {
        var answers = AnswerFile.Pairs(task.Eval.Examples, result).ToList();
        AnswerFile.Save(AnswerFile.PathFor(AnswerFile.AfterTaskFolder(session.AnswersFolder, trainedThrough), task.Name), answers);
        if (trainedThrough == context.Tasks.Count - 1) AnswerFile.Save(AnswerFile.PathFor(session.AnswersFolder, task.Name), answers);
    }
}
