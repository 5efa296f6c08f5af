using PeftQa.Host.Data;
using PeftQa.Host.Foundation;
using PeftQa.Host.Studies;
using PeftQa.Host.Training;

namespace PeftQa.Host.Planning;

/// <summary>
/// Halving's first rung must lie below the task's budget, which is known only once the data is read (epochs count
/// windows): checked then, before any work.
/// </summary>
public static class HalvingBudgetCheck
{
    /// <exception cref="BadInputException">The first rung is not below the budget, naming the JSON path.</exception>
    public static void Check(RunPlan plan, IReadOnlyList<TaskData> tasks)
    {
        if (plan.Recipe.Selection is not { Strategy: "halving" } selection) return;
        var trained = tasks.Where(t => !t.Retention).ToList();
        if (trained.Count != 1) return;
        var problems = new List<string>();
        foreach (var search in plan.Studies.Where(s => s.ChooseFrom is not null).DistinctBy(s => s.Method))
        {
            var task = search.ChooseFrom![0].Tasks[0];
            int budget = new BatchCursor(trained[0].WithSample(task.Sample).TrainFeatures.Count, task.Settings, task.Seed).TotalSteps;
            var schedule = HalvingSchedule.For(search.ChooseFrom.Count, selection, budget);
            if (schedule.MinSteps >= budget)
                problems.Add(selection.MinSteps is not null
                    ? $"{plan.RecipePath}: $.selection.minSteps: {schedule.MinSteps} steps is not below {search.Method}'s budget of {budget} " +
                      "steps, so no candidate would stop early; lower it, or use \"grid\""
                    : $"{plan.RecipePath}: $.selection.strategy: {search.Method}'s budget of {budget} steps is too small to halve " +
                      $"{search.ChooseFrom.Count} candidates; give more steps, or use \"grid\"");
        }
        if (problems.Count > 0) throw new BadInputException(problems);
    }
}
