using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using static TorchSharp.torch;

namespace PeftQa.Host.Studies;

/// <summary>
/// Evaluation for learners that route by content: each window goes to the task whose centroid its base-encoder [CLS]
/// vector is nearest, and that task's adapter answers it (a route of -1: the starting model). Counts how often the route
/// was the evaluation set's own task (-1 for a retention task, which the starting model knows).
/// </summary>
public sealed class ContentRouter(BertForQuestionAnswering model, IContinualLearner learner, int expectedTask)
{
    public int Windows { get; private set; }

    public int Correct { get; private set; }

    public (Tensor Start, Tensor End) Forward(FeatureBatch batch)
    {
        learner.Activate(null);
        var routes = learner.Route(model.EncodeCls(batch.InputIds, batch.AttentionMask, batch.TokenTypeIds));
        Windows += routes.Length;
        Correct += routes.Count(r => r == expectedTask);
        var start = zeros(batch.InputIds.shape, device: batch.InputIds.device);
        var end = zeros(batch.InputIds.shape, device: batch.InputIds.device);
        foreach (var route in routes.Distinct().Order())
        {
            var rows = tensor(
                routes.Select((r, i) => (r, i)).Where(x => x.r == route).Select(x => (long)x.i).ToArray(), device: batch.InputIds.device);
            learner.Activate(route < 0 ? null : route);
            var (routeStart, routeEnd) = model.Forward(
                batch.InputIds.index_select(0, rows), batch.AttentionMask.index_select(0, rows), batch.TokenTypeIds.index_select(0, rows));
            start.index_copy_(0, rows, routeStart);
            end.index_copy_(0, rows, routeEnd);
        }
        return (start, end);
    }
}
