using PeftQa.Host.Evaluation;
using PeftQa.Host.Studies;

namespace PeftQa.Host.Reporting;

/// <summary>
/// One strategy's line in a comparison: its scores (<see cref="Scores"/>, with <see cref="Intervals"/>), costs and
/// difference from the reference.
/// </summary>
public sealed record ComparisonRow(
    string Study,
    string Strategy,
    double TrainablePercent,
    long TrainableParameters,
    IReadOnlyDictionary<string, double> Scores,
    double TrainingExamplesPerSecond,
    double SecondsPerStep,
    double OptimizerStateMegabytes,
    double PeakMemoryMegabytes,
    double AdapterMegabytes)
{
    /// <summary>Each score with its 95% bootstrap interval; empty when the study kept no answers.</summary>
    public IReadOnlyDictionary<string, ScoreInterval> Intervals { get; init; } = new Dictionary<string, ScoreInterval>();

    /// <summary>The (adapter, continual strategy) configuration the study is one seed of.</summary>
    public string? Configuration { get; init; }

    /// <summary>The training questions of a training-size sweep the study trained on; null outside a sweep.</summary>
    public int? TrainingQuestions { get; init; }

    /// <summary>The study's seed; null in runs from before studies recorded it.</summary>
    public int? Seed { get; init; }

    /// <summary>The reference study's label; null for the reference itself.</summary>
    public string? Reference { get; init; }

    /// <summary>This study's score minus the reference's, per score, with the paired interval.</summary>
    public IReadOnlyDictionary<string, ScoreDifference> Differences { get; init; } = new Dictionary<string, ScoreDifference>();

    private const double Megabyte = 1024.0 * 1024;

    /// <summary>Rows with each score's interval and each study's difference from the reference study.</summary>
    public static List<ComparisonRow> ListFor(IReadOnlyList<StudyResult> studies, StudyStatistics statistics)
    {
        return studies.Select(study => (Study: study, Reference: statistics.ReferenceFor(study, studies))).Select(s => Of(s.Study) with
        {
            Configuration = s.Study.ConfigurationLabel,
            TrainingQuestions = DataSizeReport.SizeOf(s.Study),
            Seed = s.Study.Seed,
            Intervals = statistics.Final(s.Study),
            Reference = s.Reference?.Label,
            Differences = s.Reference is null ? new Dictionary<string, ScoreDifference>() : statistics.Difference(s.Study, s.Reference),
        }).ToList();
    }

    /// <summary>A study's scores and costs, without intervals or a reference.</summary>
    private static ComparisonRow Of(StudyResult study)
    {
        double seconds = study.Training.Sum(t => t.Seconds);
        long examples = study.Training.Sum(t => t.Examples);
        int steps = study.Training.Sum(t => t.Steps - t.ResumedAtStep);
        return new ComparisonRow(
            study.Label,
            study.Strategy,
            100.0 * study.TrainableParameters / study.TotalParameters,
            study.TrainableParameters,
            study.Final,
            seconds > 0 ? examples / seconds : 0,
            steps > 0 ? seconds / steps : 0,
            study.OptimizerStateBytes / Megabyte,
            study.PeakMemoryBytes / Megabyte,
            study.AdapterBytes / Megabyte);
    }
}
