namespace PeftQa.Host.Foundation;

/// <summary>
/// The names of everything a run folder holds, and what each study's folder in it (<c>studies/&lt;label&gt;/</c>) holds,
/// in one place: the run writes them, <c>peftqa status</c>, <c>report</c>, <c>compare</c> and resumed runs read them
/// back, and the documentation describes them, so a name is never spelled twice. Here, in the lowest layer, because every
/// layer reads or writes some of them.
/// </summary>
public static class RunFolderFiles
{
    // The run folder: what the run was asked to do.

    /// <summary>The recipe as the run uses it, every default filled in; a resumed run and every shard read it back.</summary>
    public const string RecipeFile = "recipe.json";

    /// <summary>What the run read besides its recipe (data files, the model's files) by size and SHA-256, so --resume notices a change.</summary>
    public const string RunInputsFile = "run-inputs.json";

    /// <summary>Written once the run's one-time decisions are made (baseline, selection): the shards of a cluster run wait for it.</summary>
    public const string PreparedFile = "prepared.json";

    /// <summary>The precision the run resolved when it started, which its later processes read rather than resolve again.</summary>
    public const string PrecisionFile = "precision.json";

    /// <summary>The file a run holds locked while it uses the folder.</summary>
    public const string LockFile = ".peftqa-lock";

    /// <summary>Who holds <see cref="LockFile"/> (process id, host, start time, command line), for the message a second run gets.</summary>
    public const string LockHolderFile = ".peftqa-lock.json";

    /// <summary>A whole run's JSON log, one event per line.</summary>
    public const string LogFile = "log.json";

    /// <summary>The logs of the parts of a sharded run (the baseline stage, each shard, each study), one file each.</summary>
    public const string LogsFolder = "logs";

    /// <summary>The cluster job scripts and their output, of a run submitted to Slurm.</summary>
    public const string SlurmFolder = "slurm";

    /// <summary>What <c>peftqa submit</c> submitted: the scheduler, the number of shards and the job ids.</summary>
    public const string SubmissionFile = "submission.json";

    // The run folder: what the run measured.

    /// <summary>The baseline b[j]: every task's scores before any training, measured once per run.</summary>
    public const string BaselineFile = "baseline.json";

    /// <summary>Every question's answer before any training, one file per task (<see cref="TaskAnswersFile"/>).</summary>
    public const string BaselineAnswersFolder = "answers-before-training";

    /// <summary>The studies of a hyperparameter search's selection, each a study folder of its own.</summary>
    public const string SelectionFolder = "selection";

    /// <summary>Every candidate's validation score and the settings chosen, for programs.</summary>
    public const string SelectionJsonFile = "selection.json";

    /// <summary>The same as <see cref="SelectionJsonFile"/>, for people.</summary>
    public const string SelectionMarkdownFile = "selection.md";

    /// <summary>One folder per study (<see cref="FolderNames.For"/> of its label) under this one.</summary>
    public const string StudiesFolder = "studies";

    /// <summary>TensorBoard event files, when the recipe's <c>training.reportTo</c> names TensorBoard.</summary>
    public const string TensorBoardFolder = "tensorboard";

    // The run folder: the reports.

    /// <summary>Everything the run measured, per study, with intervals and differences: what <c>peftqa compare</c> reads.</summary>
    public const string ResultsFile = "results.json";

    /// <summary>The report for people: the matrices, continual metrics and charts of every study.</summary>
    public const string ReportFile = "report.md";

    /// <summary>The PNG charts <see cref="ReportFile"/> shows.</summary>
    public const string ChartsFolder = "charts";

    /// <summary>The side-by-side comparison of the studies, for people.</summary>
    public const string CompareMarkdownFile = "compare.md";

    /// <summary>The side-by-side comparison of the studies, for programs.</summary>
    public const string CompareJsonFile = "compare.json";

    /// <summary>The side-by-side comparison of the studies, as a chart.</summary>
    public const string CompareChartFile = "compare.png";

    /// <summary>A training-size sweep's report (score against training questions per method): markdown, JSON and chart.</summary>
    public const string DataSizeMarkdownFile = "data-size.md";

    public const string DataSizeJsonFile = "data-size.json";

    public const string DataSizeChartFile = "data-size.png";

    /// <summary>In <see cref="ChartsFolder"/>: a study's matrix R[i][j] as a heatmap.</summary>
    public static string HeatmapChartFile(string study) => $"heatmap-{FolderNames.For(study)}.png";

    /// <summary>In <see cref="ChartsFolder"/>: each task's score through a study's task sequence.</summary>
    public static string ThroughSequenceChartFile(string study) => $"through-sequence-{FolderNames.For(study)}.png";

    /// <summary>In <see cref="ChartsFolder"/>: each study's retention drop against its ACC, of one score.</summary>
    public static string RetentionAgainstAccChartFile(string score) => $"retention-against-acc-{FolderNames.For(score)}.png";

    // A study's folder.

    /// <summary>Written last, when the study finished: what the reports read back.</summary>
    public const string StudyResultFile = "result.json";

    /// <summary>The error of a study that failed, until it is run again.</summary>
    public const string StudyFailureFile = "failure.json";

    /// <summary>The study's progress (tasks done, where to resume), rewritten after the baseline and each task.</summary>
    public const string StudyStateFile = "study-state.json";

    /// <summary>A selection candidate's validation scores at each halving rung it paused at.</summary>
    public const string RungScoresFile = "rungs.json";

    /// <summary>The study's training curve, one event per line (run folders from before studies had their own hold one for the run).</summary>
    public const string MetricsFile = "metrics.jsonl";

    /// <summary>Every question's answer after the last task, one file per task, and after each task in <see cref="AfterTaskFolder"/>.</summary>
    public const string AnswersFolder = "answers";

    /// <summary>One folder per trained task (<see cref="TaskFolder"/>), holding its training checkpoints.</summary>
    public const string TasksFolder = "tasks";

    /// <summary>In a task's folder: the checkpoints a killed run resumes training from.</summary>
    public const string CheckpointsFolder = "checkpoints";

    /// <summary>The continual strategy's own state after each task (<see cref="AfterTaskFolder"/>), for a resumed study.</summary>
    public const string LearnerStateFolder = "continual";

    /// <summary>The trained adapter, when the study has one.</summary>
    public const string AdapterFolder = "adapter";

    /// <summary>The complete model with the adapters merged in, where one model answers every task.</summary>
    public const string ModelFolder = "model";

    /// <summary>One task's answers in an answers folder.</summary>
    public static string TaskAnswersFile(string task) => FolderNames.For(task) + ".json";

    /// <summary>What was kept after training through task <paramref name="task"/> (from 0): <c>after-task-N</c>.</summary>
    public static string AfterTaskFolder(int task) => $"after-task-{task + 1}";

    /// <summary>In <see cref="TasksFolder"/>: task <paramref name="task"/>'s (from 0) folder.</summary>
    public static string TaskFolder(int task, string name) => $"{task + 1}-{FolderNames.For(name)}";

    /// <summary>Adapter <paramref name="task"/> (from 0), named after its task, when the study has several.</summary>
    public static string TaskAdapterFolder(int task, string name) => $"adapter-{task + 1}-{FolderNames.For(name)}";
}
