using System.Diagnostics;
using PeftQa.Abstractions;
using PeftQa.Host.Studies;
using PeftQa.Host.Data;
using PeftQa.Host.Training;
using static TorchSharp.torch;

using PeftQa.Host.Modeling;

namespace PeftQa.Host.Planning;

/// <summary>
/// A rough time for a run, before it starts: the windows every study trains and evaluates (candidates of a search
/// included), times the encoder's floating-point work per window, over this device's matrix-multiply rate (a 0.3 s probe)
/// scaled by the ratios of our training and evaluation throughput to that probe, measured with <c>peftqa bench</c> on a
/// 2-core AVX2 CPU. A guide to the size of a run, not a promise.
/// </summary>
public sealed record RunCostEstimate(int Studies, double TrainingWindows, double EvaluationWindows, double GigaflopsPerSecond, TimeSpan Time)
{
    /// <summary>The training windows of the same studies and candidates with a grid search, nothing reused and no early stopping.</summary>
    public double GridTrainingWindows { get; init; }

    /// <summary>Early stopping may end tasks before their budget: the estimate is then an upper bound.</summary>
    public bool UpperBound { get; init; }

    /// <summary>Runs of at least this many studies are warned about before they start.</summary>
    public const int ManyStudies = 40;

    /// <summary>
    /// Training, against a 73-80 GFLOP/s probe: full fine-tuning at 3.05 windows/s of 384 tokens (28.5 GFLOP each, ratio
    /// 1.16) and 5.8 of 256 tokens (18.1 GFLOP, 1.4), adapters at 7-9 windows/s of 256 tokens (up to 2), all without
    /// attention dropout (the default). A middle value: full fine-tuning runs come out up to a fifth slower than estimated.
    /// </summary>
    public const double TrainingShareOfMatmul = 1.4;

    /// <summary>Evaluation: 10 windows/s of 384 tokens (9.5 GFLOP each, ratio 1.27) and 20 of 256 tokens (6.0 GFLOP, 1.65), batched.</summary>
    public const double EvaluationShareOfMatmul = 1.5;

    public static RunCostEstimate Of(RunPlan plan, IReadOnlyList<TaskData> tasks, Device device)
    {
        var candidates = plan.Candidates;
        var studies = plan.Studies.Concat(candidates).ToList();
        var trained = tasks.Where(t => !t.Retention).ToList();
        double grid = studies.Sum(s => TrainingWindowsOf(s, trained));
        double training = plan.Studies.Where(s => !AdoptsWeights(s, plan)).Sum(s => TrainingWindowsOf(s, trained))
                          + SearchTrainingWindows(plan, trained);
        double evaluation = plan.Studies.Sum(s => EvaluationWindowsOf(s, tasks.Select(t => t.Eval), trained, plan))
            + candidates.Sum(s => EvaluationWindowsOf(s, trained.Select(t => t.Validation ?? t.Eval), trained, plan))
            + tasks.Sum(t => t.Eval.Features.Count + (t.Validation?.Features.Count ?? 0));
        double flopsPerWindow = ForwardFlopsPerWindow(plan.Model, plan.Recipe.Training.MaxSequenceLength);
        double rate = MatmulGigaflops(device, plan.Precision);
        double seconds = (3 * flopsPerWindow * training / TrainingShareOfMatmul + flopsPerWindow * evaluation / EvaluationShareOfMatmul)
            / (rate * 1e9);
        return new RunCostEstimate(studies.Count, training, evaluation, rate, TimeSpan.FromSeconds(seconds))
        {
            GridTrainingWindows = grid,
            UpperBound = plan.Recipe.Training.EarlyStopping is not null,
        };
    }

    /// <summary>A study that adopts the weights of an identical study, or of its method's winning candidate (same seed), trains nothing.</summary>
    private static bool AdoptsWeights(StudyPlan study, RunPlan plan) =>
        study.ReusesTrainingOf is not null
        || (study.ChooseFrom is not null && study.Seed == plan.Recipe.Seed && plan.RetentionTasks.Count == 0);

    /// <summary>Every searched method's candidates: each its whole budget with a grid, the rungs' steps with halving.</summary>
    private static double SearchTrainingWindows(RunPlan plan, IReadOnlyList<TaskData> trained)
    {
        double windows = 0;
        foreach (var search in plan.Studies.Where(s => s.ChooseFrom is not null).DistinctBy(s => s.Method))
        {
            var candidates = search.ChooseFrom!;
            if (plan.Recipe.Selection is not { Strategy: "halving" } selection)
            {
                windows += candidates.Sum(c => TrainingWindowsOf(c, trained));
                continue;
            }
            var settings = candidates[0].Tasks[0].Settings;
            int budget = new BatchCursor(trained[0].WithSample(candidates[0].Tasks[0].Sample).TrainFeatures.Count, settings,
                candidates[0].Tasks[0].Seed).TotalSteps;
            windows += (double)HalvingSchedule.For(candidates.Count, selection, budget).TrainedSteps()
                       * settings.BatchSize * settings.GradientAccumulation;
        }
        return windows;
    }

    private static double TrainingWindowsOf(StudyPlan study, IReadOnlyList<TaskData> tasks) =>
        study.Tasks.Select((plan, i) =>
            (double)new BatchCursor(tasks[i].WithSample(plan.Sample).TrainFeatures.Count, plan.Settings, plan.Seed).TotalSteps
            * plan.Settings.BatchSize * plan.Settings.GradientAccumulation).Sum();

    /// <summary>
    /// After each task every task (retention tasks too) is evaluated; evaluations during training and the learning
    /// curve's probes add theirs.
    /// </summary>
    private static double EvaluationWindowsOf(StudyPlan study, IEnumerable<EvalSet> evalSets, IReadOnlyList<TaskData> tasks, RunPlan plan)
    {
        double perStage = evalSets.Sum(e => e.Features.Count);
        double windowsPerQuestion = tasks.Average(t => (double)t.Eval.Features.Count / Math.Max(1, t.Eval.Examples.Count));
        double during = study.Tasks.Select((task, i) =>
        {
            int steps = new BatchCursor(tasks[i].WithSample(task.Sample).TrainFeatures.Count, task.Settings, task.Seed).TotalSteps;
            double evals = task.Settings.EvalEvery is { } every ? steps / every * tasks[i].Eval.Features.Count : 0;
            double validation = task.Settings.EarlyStopping is { } stopping ? steps / stopping.Every * (tasks[i].Validation?.Features.Count ?? 0) : 0;
            double curve = plan.Recipe.Evaluation.Curve is { } c
                ? steps / c.Every * Math.Min(c.Questions, tasks[i].Eval.Examples.Count) * windowsPerQuestion
                : 0;
            return evals + curve + validation;
        }).Sum();
        return study.Tasks.Count * perStage + during;
    }

    /// <summary>
    /// Multiply-adds of one encoder pass over a window of <paramref name="length"/> tokens, times two: projections,
    /// feed-forward and attention.
    /// </summary>
    public static double ForwardFlopsPerWindow(ModelDescription model, int length)
    {
        double h = model.HiddenSize, i = model.IntermediateSize, l = length;
        double perTokenPerLayer = 2 * (4 * h * h + 2 * h * i) + 4 * l * h;
        return model.NumLayers * perTokenPerLayer * l;
    }

    /// <summary>
    /// Matrix multiplies of a typical encoder shape in the run's precision, timed for about a third of a second (fewer
    /// rows where bf16 is only emulated: one full-size product takes seconds there).
    /// </summary>
    private static double MatmulGigaflops(Device device, ComputePrecision precision)
    {
        using var scope = NewDisposeScope();
        int rows = precision.Slow ? 256 : 4096;
        var a = randn(rows, 384, dtype: precision.DType, device: device);
        var b = randn(384, 1536, dtype: precision.DType, device: device);
        mm(a, b).Dispose();
        var watch = Stopwatch.StartNew();
        int runs = 0;
        while (watch.Elapsed.TotalSeconds < 0.3)
        {
            using var product = mm(a, b);
            _ = product.sum().to(ScalarType.Float32).item<float>();
            runs++;
        }
        return runs * 2.0 * rows * 384 * 1536 / watch.Elapsed.TotalSeconds / 1e9;
    }

    public override string ToString() =>
        $"{Studies} studies, {TrainingWindows:N0} training" +
        (GridTrainingWindows > TrainingWindows + 0.5 ? $" (a grid search training everything: {GridTrainingWindows:N0})" : "") +
        $" and {EvaluationWindows:N0} evaluation windows: {(UpperBound ? "at most" : "about")} {Show(Time)} here " +
        $"(rough: scaled from this device's matrix-multiply probe, {GigaflopsPerSecond:F0} GFLOP/s, " +
        "by the throughput ratios peftqa bench measured on a 2-core CPU)";

    private static string Show(TimeSpan time) =>
        time.TotalHours >= 48 ? $"{time.TotalDays:F0} days"
            : time.TotalHours >= 1 ? $"{time.TotalHours:F1} h"
            : time.TotalMinutes >= 1 ? $"{time.TotalMinutes:F0} min"
            : $"{time.TotalSeconds:F0} s";
}
