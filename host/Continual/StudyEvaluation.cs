using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;

namespace PeftQa.Host.Continual;

/// <summary>
/// Evaluates a study's model on every task after a stage, the way its learner routes: one model for all, the task's own
/// adapter, or the adapter its content is nearest to (and how often that was the task's own).
/// </summary>
internal sealed class StudyEvaluation(StudySession session, StudyContext context, ILogger logger)
{
    public List<Dictionary<string, double>> EvaluateAll(string stage, int trainedThrough, CancellationToken cancellation)
    {
        var learner = session.Learner;
        var scores = new List<Dictionary<string, double>>();
        var routing = new double?[context.Tasks.Count];
        bool routesByContent = learner.Routing == EvaluationRouting.ByContent;
        for (int j = 0; j < context.Tasks.Count; j++)
        {
            ContentRouter? router = null;
            if (routesByContent) router = new ContentRouter(session.Model, learner, j);
            else learner.Activate(j);
            var result = QaEvaluator.Evaluate(session.Model, context.Tasks[j].Eval, context.Metrics, context.Evaluation, context.Tokenizer.PadId, context.Device,
                cancellation, EvaluationProgress.Logged(logger, $"{session.Study.Label} {stage}, task {context.Tasks[j].Name}"), router is null ? null : router.Forward);
            scores.Add(result.Scores.ToDictionary());
            if (trainedThrough == context.Tasks.Count - 1) SaveAnswers(context.Tasks[j].Name, context.Tasks[j].Eval.Examples, result);
            if (router is not null && j <= trainedThrough) routing[j] = 100.0 * router.Correct / Math.Max(1, router.Windows);
            logger.LogInformation("{Study} {Stage}, task {Task}: {Scores}{Routing} ({Seconds:F1} s)", session.Study.Label, stage, context.Tasks[j].Name,
                string.Join(", ", result.Scores.Select(s => $"{s.Key} {s.Value:F2}")),
                routing[j] is { } accuracy ? $", routed to its own adapter {accuracy:F1}%" : "", result.Seconds);
        }
        if (routesByContent) (session.State.RoutingAccuracy ??= []).Add([.. routing]);
        return scores;
    }

    /// <summary>After the last task: every question's answer beside its gold answers, for the bootstrap intervals.</summary>
    private void SaveAnswers(string task, IReadOnlyList<QaExample> examples, EvaluationResult result) =>
        AnswerFile.Save(AnswerFile.PathFor(session.AnswersFolder, task), examples.Select(e => new AnswerPair(e.Id, result.Predictions.TryGetValue(e.Id, out var p) ? p.Text : "",
            e.IsImpossible ? [""] : e.Answers.Select(a => a.Text).ToList())));
}
