using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Training;

/// <summary>
/// <c>metrics.jsonl</c> in the run folder: one JSON object per logged step or evaluation, flushed as written. On resume,
/// lines of the resumed task that lie beyond the checkpoint are dropped, so the file reads as one uninterrupted run.
/// Every line is mirrored to <see cref="TensorBoard"/> when the recipe reports there.
/// </summary>
public sealed class MetricsLog(string path, TensorBoardLog? tensorBoard = null)
{
    private readonly object gate = new();

    public string Path { get; } = path;

    /// <summary>The TensorBoard event files, when <c>training.reportTo</c> names them; else null.</summary>
    public TensorBoardLog? TensorBoard { get; } = tensorBoard;

    public void Write(JsonObject line)
    {
        lock (gate)
        {
            File.AppendAllText(Path, line.ToJsonString() + "\n");
        }
        TensorBoard?.Mirror(line);
    }

    /// <summary>
    /// Removes the lines of (<paramref name="study"/>, <paramref name="task"/>) whose step is after <paramref name="step"/>,
    /// and tells TensorBoard that the task's points after it are superseded.
    /// </summary>
    public void TruncateAfter(string study, string task, int step)
    {
        TensorBoard?.Resumed(study, task, step);
        lock (gate)
        {
            if (!File.Exists(Path)) return;
            var kept = File.ReadAllLines(Path).Where(line =>
            {
                try
                {
                    var node = JsonNode.Parse(line);
                    return !(node?["study"]?.GetValue<string>() == study && node["task"]?.GetValue<string>() == task
                             && node["step"]?.GetValue<int>() > step);
                }
                catch (JsonException)
                {
                    return false; // a line cut short by a crash
                }
            });
            AtomicFile.WriteAllText(Path, string.Concat(kept.Select(line => line + "\n")));
        }
    }
}
