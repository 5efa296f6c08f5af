using System.Numerics;
using System.Text.Json.Nodes;
using Google.Protobuf;
using PeftQa.Host.Foundation;
using Tensorboard;

namespace PeftQa.Host.Training;

/// <summary>
/// TensorBoard event files (<c>training.reportTo: ["tensorboard"]</c>, Hugging Face's <c>report_to</c>) under
/// <c>tensorboard/</c> in the run folder, so <c>tensorboard --logdir &lt;run&gt;/tensorboard</c> overlays studies and tasks.
/// Each task of a study is a TensorBoard run, <c>&lt;study&gt;/&lt;task&gt;</c>: <c>train/loss</c>, <c>train/learning_rate</c>,
/// <c>train/examples_per_second</c>, <c>train/penalty</c> per logged step and <c>eval/&lt;metric&gt;</c> per mid-training
/// evaluation. The study itself is a run, <c>&lt;study&gt;</c>: <c>stage/&lt;task&gt;/&lt;metric&gt;</c>, every task's score after
/// each stage (step 0 = before training, i = after the i-th trained task), and <c>continual/&lt;score&gt;/&lt;metric&gt;</c>
/// (ACC, BWT, ...) at the last stage.
/// </summary>
/// <remarks>
/// The records are TorchSharp's TensorBoard protobuf types in TFRecord framing, written here rather than through
/// TorchSharp's <c>SummaryWriter</c>, whose wall time is a float (steps of 128 s at today's epoch seconds) and defaults
/// to 0. A resumed task writes a new file that starts with a session-start record at the first step after its
/// checkpoint; TensorBoard then drops that task's points from that step on, so the curves read as one uninterrupted run,
/// as metrics.jsonl does.
/// </remarks>
public sealed class TensorBoardLog(string folder)
{
    public const string FolderName = RunFolderFiles.TensorBoardFolder;
    private static int filesOpened;
    private readonly Dictionary<string, string> files = new(StringComparer.Ordinal);
    private readonly object gate = new();

    public string Folder { get; } = folder;

    /// <summary>Mirrors a <see cref="MetricsLog"/> line: a training step or a mid-training evaluation.</summary>
    public void Mirror(JsonObject line)
    {
        if (line["study"]?.GetValue<string>() is not { } study || line["task"]?.GetValue<string>() is not { } task
            || line["step"]?.GetValue<int>() is not { } step) return;
        var kind = line["event"]?.GetValue<string>() switch { "evaluation" => "eval", "curve" => "curve", _ => "train" };
        string[] skipped = ["study", "task", "step", "event", "epoch", "elapsed_seconds", "training_seconds"];
        var values = line.Where(p => !skipped.Contains(p.Key) && p.Value is JsonValue v && v.TryGetValue<double>(out _))
            .Select(p => ($"{kind}/{p.Key}", p.Value!.GetValue<double>()));
        Write(TaskRun(study, task), step, values);
    }

    /// <summary>A task resumed after <paramref name="checkpointStep"/>: its points from the next step on are superseded.</summary>
    public void Resumed(string study, string task, int checkpointStep)
    {
        var start = new Event
        {
            WallTime = UnixSeconds(),
            Step = checkpointStep + 1,
            SessionLog = new SessionLog { Status = SessionLog.Types.SessionStatus.Start },
        };
        lock (gate) Append(FileFor(TaskRun(study, task)), start);
    }

    private static string TaskRun(string study, string task) => Path.Combine(FolderNames.For(study), FolderNames.For(task));

    /// <summary>Every task's scores after stage <paramref name="stage"/> (0: before training).</summary>
    public void Stage(string study, int stage, IReadOnlyList<string> tasks, IReadOnlyList<IReadOnlyDictionary<string, double>> scores) =>
        Write(FolderNames.For(study), stage, tasks.Zip(scores).SelectMany(t => t.Second.Select(s => ($"stage/{t.First}/{s.Key}", s.Value))));

    /// <summary>A study's continual metrics per score (f1: ACC, BWT, ...) after its last task.</summary>
    public void Continual(string study, int stage, IEnumerable<(string Score, string Metric, double Value)> metrics) =>
        Write(FolderNames.For(study), stage, metrics.Select(m => ($"continual/{m.Score}/{m.Metric}", m.Value)));

    /// <param name="run">The TensorBoard run: a folder under <see cref="Folder"/>.</param>
    private void Write(string run, long step, IEnumerable<(string Tag, double Value)> values)
    {
        var summary = new Summary();
        foreach (var (tag, value) in values) summary.Value.Add(new Summary.Types.Value { Tag = tag, SimpleValue = (float)value });
        if (summary.Value.Count == 0) return;
        lock (gate) Append(FileFor(run), new Event { WallTime = UnixSeconds(), Step = step, Summary = summary });
    }

    private string FileFor(string run)
    {
        if (files.TryGetValue(run, out var path)) return path;
        var studyFolder = Path.Combine(Folder, run);
        Directory.CreateDirectory(studyFolder);
        // The name TensorBoard looks for; the time first, so a resumed run's file sorts after the earlier ones.
        path = Path.Combine(studyFolder,
            $"events.out.tfevents.{(long)UnixSeconds():D10}.{Environment.MachineName}." +
            $"{Environment.ProcessId}.{Interlocked.Increment(ref filesOpened):D4}");
        Append(path, new Event { WallTime = UnixSeconds(), FileVersion = "brain.Event:2" });
        files[run] = path;
        return path;
    }

    private static double UnixSeconds() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>One TFRecord: length, its masked CRC-32C, the record, the record's masked CRC-32C (little-endian).</summary>
    private static void Append(string path, Event record)
    {
        var data = record.ToByteArray();
        var length = BitConverter.GetBytes((ulong)data.LongLength);
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var writer = new BinaryWriter(stream);
        writer.Write(length);
        writer.Write(MaskedCrc32C(length));
        writer.Write(data);
        writer.Write(MaskedCrc32C(data));
    }

    /// <summary>TFRecord's checksum: CRC-32C (Castagnoli), rotated right by 15 bits plus a constant.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }
}
