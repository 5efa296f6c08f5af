using PeftQa.Abstractions;
using PeftQa.Host.Studies;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Planning;

namespace PeftQa.Host.Reporting;

/// <summary>
/// The intervals every report shows, computed once per study and metric from the answers the study kept after its last
/// task (<see cref="AnswerFile"/>): each score's 95% bootstrap interval over questions, and each study's paired
/// difference from the reference study. Studies without kept answers (runs from before) get none.
/// </summary>
public sealed class StudyStatistics(
    IReadOnlyList<IMetric> metrics,
    int seed,
    int resamples,
    string? referenceLabel,
    IReadOnlyList<IContinualMetric>? continualMetrics = null)
{
    private readonly Dictionary<(string Study, string Metric), StageAnswerTable?> tables = new();
    private readonly Dictionary<(string Study, string Reference, string Metric), ContinualIntervals?> continual = new();
    private readonly Dictionary<string, IReadOnlyList<IReadOnlyList<AnswerPair>>?> answers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Study, string Metric), ScoreInterval> intervals = new();
    private readonly Dictionary<(string Study, string Reference, string Metric), ScoreDifference?> differences = new();

    /// <summary>A run's statistics: its metrics, its recipe's seed and resamples, and its reference configuration.</summary>
    public static StudyStatistics For(RunPlan plan) =>
        new(plan.Metrics, plan.Recipe.Seed, plan.Recipe.Compare.Resamples, plan.Reference, plan.ContinualMetrics);

    public int Seed => seed;

    public int Resamples => resamples;

    /// <summary>The configuration the others are compared with: the one named so, else the first study's.</summary>
    public string? ReferenceConfiguration(IReadOnlyList<StudyResult> studies) =>
        studies.FirstOrDefault(s => s.ConfigurationLabel == referenceLabel || s.Label == referenceLabel)?.ConfigurationLabel
        ?? studies.FirstOrDefault()?.ConfigurationLabel;

    /// <summary>The run has studies of two or more configurations, so each is compared with the reference.</summary>
    public static bool Compares(IReadOnlyList<StudyResult> studies) => studies.Select(s => s.ConfigurationLabel).Distinct().Count() > 1;

    /// <summary>
    /// The study <paramref name="study"/> is compared with: the reference configuration's study of the same seed (else its
    /// first); null when the run has one configuration or <paramref name="study"/> is of the reference configuration.
    /// </summary>
    public StudyResult? ReferenceFor(StudyResult study, IReadOnlyList<StudyResult> studies)
    {
        var configuration = ReferenceConfiguration(studies);
        if (!Compares(studies) || study.ConfigurationLabel == configuration) return null;
        var candidates = studies.Where(s => s.ConfigurationLabel == configuration).ToList();
        return candidates.FirstOrDefault(s => s.Seed == study.Seed) ?? candidates.FirstOrDefault();
    }

    /// <summary>Each metric's score after the last task (the mean over tasks) with its interval; empty without answers.</summary>
    public IReadOnlyDictionary<string, ScoreInterval> Final(StudyResult study)
    {
        var result = new Dictionary<string, ScoreInterval>(StringComparer.Ordinal);
        if (AnswersOf(study) is not { } tasks) return result;
        foreach (var metric in metrics)
        {
            if (!intervals.TryGetValue((Key(study), metric.Name), out var interval))
                intervals[(Key(study), metric.Name)] = interval = Bootstrap.Interval(tasks, metric, seed, resamples);
            result[metric.Name] = interval;
        }
        return result;
    }

    /// <summary>
    /// <paramref name="study"/> minus <paramref name="reference"/>, per metric; empty when either kept no answers or
    /// they answered different questions.
    /// </summary>
    public IReadOnlyDictionary<string, ScoreDifference> Difference(StudyResult study, StudyResult reference)
    {
        var result = new Dictionary<string, ScoreDifference>(StringComparer.Ordinal);
        if (AnswersOf(study) is not { } ours || AnswersOf(reference) is not { } theirs) return result;
        foreach (var metric in metrics)
        {
            var key = (Key(study), Key(reference), metric.Name);
            if (!differences.TryGetValue(key, out var difference))
            {
                try { difference = Bootstrap.Difference(ours, theirs, metric, seed, resamples); }
                catch (ArgumentException) { difference = null; }
                differences[key] = difference;
            }
            if (difference is not null) result[metric.Name] = difference;
        }
        return result;
    }

    /// <summary>
    /// The score of several studies' answers taken together (one configuration's seeds, each question once per seed), with
    /// its 95% interval over (seed, question) pairs; null when one of them kept no answers.
    /// </summary>
    /// <param name="task">One evaluated task (a retention task too) to score; null: the mean over the trained tasks.</param>
    public ScoreInterval? Pooled(IReadOnlyList<StudyResult> studies, string metricName, string? task = null) =>
        metrics.FirstOrDefault(m => m.Name == metricName) is { } metric && Pool(studies, task) is { } pooled
            ? Bootstrap.Interval(pooled, metric, seed, resamples)
            : null;

    /// <summary>
    /// <paramref name="studies"/> minus <paramref name="references"/> taken together, study i paired with reference i (the
    /// same seed) on the same resampled (seed, question) pairs; null without answers or when they answered different questions.
    /// </summary>
    public ScoreDifference? PooledDifference(
        IReadOnlyList<StudyResult> studies, IReadOnlyList<StudyResult> references, string metricName, string? task = null)
    {
        if (metrics.FirstOrDefault(m => m.Name == metricName) is not { } metric || studies.Count != references.Count
            || Pool(studies, task) is not { } ours || Pool(references, task) is not { } theirs)
            return null;
        try { return Bootstrap.Difference(ours, theirs, metric, seed, resamples); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>Per task, every study's answers one after another, each question id prefixed with the study's place.</summary>
    private IReadOnlyList<IReadOnlyList<AnswerPair>>? Pool(IReadOnlyList<StudyResult> studies, string? task)
    {
        var all = studies.Select(s => task is null ? AnswersOf(s) : AnswersOf(s, task)).ToList();
        if (all.Count == 0 || all.Any(a => a is null) || all.Select(a => a!.Count).Distinct().Count() > 1) return null;
        return Enumerable.Range(0, all[0]!.Count)
            .Select(t => (IReadOnlyList<AnswerPair>)all
                .SelectMany((a, k) => a![t].Select(p => p with { QuestionId = $"{k}/{p.QuestionId}" })).ToList())
            .ToList();
    }

    /// <summary>
    /// Intervals of every R and b entry, continual metric and retention change of <paramref name="study"/> under <paramref name="metric"/>
    /// (or of its difference from <paramref name="reference"/>, on the same resampled questions); null when the answers of
    /// some stage were not kept (runs from before), the metric is not a mean over questions, or the two answered different questions.
    /// </summary>
    public ContinualIntervals? Continual(StudyResult study, string metric, StudyResult? reference = null)
    {
        var key = (Key(study), reference is null ? "" : Key(reference), metric);
        if (continual.TryGetValue(key, out var cached)) return cached;
        var ours = TableOf(study, metric);
        var theirs = reference is null ? null : TableOf(reference, metric);
        ContinualIntervals? result = null;
        if (ours is not null && (reference is null || (theirs is not null && ours.Pairs(theirs))))
            result = ContinualBootstrap.Compute(ours, continualMetrics ?? [], seed, resamples, theirs);
        return continual[key] = result;
    }

    private StageAnswerTable? TableOf(StudyResult study, string metricName)
    {
        var key = (Key(study), metricName);
        if (tables.TryGetValue(key, out var cached)) return cached;
        if (metrics.FirstOrDefault(m => m.Name == metricName) is not { } metric
            || study.AnswersFolder is not { } folder
            || study.BaselineAnswersFolder is not { } before)
            return tables[key] = null;
        var columns = study.Tasks.Concat(study.Retention?.Select(r => r.Task) ?? []).ToList();
        var stages = new List<IReadOnlyList<IReadOnlyList<AnswerPair>?>>
        {
            columns.Select(t => AnswerFile.Load(AnswerFile.PathFor(before, t))).ToList(),
        };
        for (int i = 0; i < study.AfterTask.Count; i++)
            stages.Add(columns.Select(t => AnswerFile.Load(AnswerFile.PathFor(AnswerFile.AfterTaskFolder(folder, i), t))).ToList());
        return tables[key] = StageAnswerTable.Of(stages, study.Tasks.Count, metric);
    }

    /// <summary>One line for reports: how the intervals were computed.</summary>
    public string Method => $"95% percentile bootstrap intervals over questions ({resamples:N0} resamples, seed {seed}); " +
                            "a difference is the study's score minus the reference's on the same resampled questions, " +
                            "marked * when its interval excludes 0";

    private static string Key(StudyResult study) => study.AnswersFolder ?? study.Label;

    /// <summary>One evaluated task's answers after the last task, as a list of one task; null when not kept.</summary>
    private static IReadOnlyList<IReadOnlyList<AnswerPair>>? AnswersOf(StudyResult study, string task) =>
        study.AnswersFolder is { } folder && AnswerFile.Load(AnswerFile.PathFor(folder, task)) is { Count: > 0 } answers ? [answers] : null;

    private IReadOnlyList<IReadOnlyList<AnswerPair>>? AnswersOf(StudyResult study)
    {
        if (study.AnswersFolder is not { } folder) return null;
        if (answers.TryGetValue(folder, out var cached)) return cached;
        var loaded = study.Tasks.Select(task => AnswerFile.Load(AnswerFile.PathFor(folder, task))).ToList();
        return answers[folder] = loaded.Any(a => a is null || a.Count == 0) ? null : loaded.Select(a => a!).ToList();
    }
}
