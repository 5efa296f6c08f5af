using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Host.Training;
using PeftQa.Tests.Runs;
using PeftQa.Tests.Support;
using Tensorboard;
using Xunit;

namespace PeftQa.Tests.Training;

/// <summary><c>training.reportTo: ["tensorboard"]</c>: event files TensorBoard can read, holding the run's curves and scores.</summary>
[Collection(SerialCollection.Name)]
public sealed class TensorBoardLogTests : IClassFixture<BuiltinModelFixture>
{
    private readonly BuiltinModelFixture builtin;

    public TensorBoardLogTests(BuiltinModelFixture builtin) => this.builtin = builtin;

    [Fact]
    public void The_record_checksum_is_TFRecord_masked_CRC32C()
    {
        TensorBoardLog.Crc32C(Encoding.ASCII.GetBytes("123456789")).Should().Be(0xE3069283u, "the CRC-32C check value");
        TensorBoardLog.Crc32C([]).Should().Be(0u);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_run_reporting_to_tensorboard_writes_loss_learning_rate_speed_stage_scores_and_continual_metrics_per_study()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), builtin.Loaded.VocabPath);
        var recipe = JsonNode.Parse(EndToEndRunTests.TinyRecipe(model, maxSteps: 4, checkpointEvery: 4, folder.Combine("runs")))!;
        recipe["training"]!["reportTo"] = new JsonArray("tensorboard");
        var runFolder = folder.Combine("run");

        var result = await PeftqaCli.Run("run", folder.WriteFile("tb.json", recipe.ToJsonString()), "--device", "cpu", "--out", runFolder);

        result.ExitCode.Should().Be(0, result.Error);
        var tensorboard = Path.Combine(runFolder, "tensorboard");
        var events = new[] { "full", "full/products", "full/sports" }.SelectMany(run =>
        {
            var file = Directory.GetFiles(Path.Combine(tensorboard, run), "events.out.tfevents.*").Should().ContainSingle(run).Subject;
            var read = ReadEvents(file);
            read[0].FileVersion.Should().Be("brain.Event:2");
            read.Should().OnlyContain(e => e.WallTime > 1.7e9, "wall time is seconds since 1970");
            return read.Select(e => (Run: run, Event: e));
        }).ToList();
        var scalars = events.Where(e => e.Event.Summary is not null)
            .SelectMany(e => e.Event.Summary.Value.Select(v => (Tag: $"{e.Run}:{v.Tag}", e.Event.Step, Value: (double)v.SimpleValue))).ToList();

        var metricsLines = File.ReadAllLines(RunMetrics.PathOf(runFolder, "full")).Select(l => JsonNode.Parse(l)!).ToList();
        var losses = metricsLines.Where(l => l["task"]!.GetValue<string>() == "sports").Select(l => ((long)l["step"]!.GetValue<int>(), l["loss"]!.GetValue<double>()));
        scalars.Where(s => s.Tag == "full/sports:train/loss").Select(s => (s.Step, s.Value))
            .Should().Equal(losses, (a, b) => a.Item1 == b.Item1 && Math.Abs(a.Item2 - b.Item2) < 1e-5, "every logged loss, at its step");
        scalars.Should().Contain(s => s.Tag == "full/products:train/learning_rate").And.Contain(s => s.Tag == "full/products:train/examples_per_second");

        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!["studies"]![0]!;
        var afterSports = results["afterTask"]![1]!.AsArray();
        scalars.Where(s => s.Tag == "full:stage/products/f1").Select(s => s.Step).Should().Equal(0, 1, 2);
        scalars.Single(s => s.Tag == "full:stage/products/f1" && s.Step == 2).Value
            .Should().BeApproximately(afterSports[0]!["f1"]!.GetValue<double>(), 1e-4);
        var acc = results["continualMetrics"]!["f1"]!["acc"]!["value"]!.GetValue<double>();
        scalars.Single(s => s.Tag == "full:continual/f1/acc").Should().Match<(string Tag, long Step, double Value)>(s => s.Step == 2 && Math.Abs(s.Value - acc) < 1e-4);
    }

    [Fact]
    public void A_resumed_task_starts_a_new_file_with_a_session_start_after_its_checkpoint()
    {
        using var folder = new TemporaryFolder();
        var tensorboard = new TensorBoardLog(folder.Combine("tensorboard"));
        var first = new MetricsLog(folder.Combine("metrics.jsonl"), tensorboard);
        foreach (var step in new[] { 5, 10, 15 }) first.Write(new JsonObject { ["study"] = "lora", ["task"] = "squad", ["step"] = step, ["loss"] = 1.0 / step });

        var resumed = new MetricsLog(folder.Combine("metrics.jsonl"), new TensorBoardLog(folder.Combine("tensorboard")));
        resumed.TruncateAfter("lora", "squad", 10);
        resumed.Write(new JsonObject { ["study"] = "lora", ["task"] = "squad", ["step"] = 15, ["loss"] = 0.5 });

        var files = Directory.GetFiles(folder.Combine("tensorboard", "lora", "squad")).Order(StringComparer.Ordinal).ToList();
        files.Should().HaveCount(2);
        var afterResume = ReadEvents(files[1]);
        afterResume[1].SessionLog.Status.Should().Be(SessionLog.Types.SessionStatus.Start);
        afterResume[1].Step.Should().Be(11, "TensorBoard drops the task's points from step 11 on, as metrics.jsonl dropped its lines");
        afterResume[2].Summary.Value.Single(v => v.Tag == "train/loss").SimpleValue.Should().Be(0.5f);
    }

    [Fact]
    public async Task An_unknown_report_destination_fails_before_any_work_naming_the_field()
    {
        using var folder = new TemporaryFolder();
        var recipe = JsonNode.Parse(EndToEndRunTests.TinyRecipe("builtin:minilm-l6", maxSteps: 4, checkpointEvery: 4, folder.Combine("runs")))!;
        recipe["training"]!["reportTo"] = new JsonArray("tensorboard", "wandb");

        var result = await PeftqaCli.Run("run", folder.WriteFile("bad.json", recipe.ToJsonString()), "--device", "cpu", "--out", folder.Combine("run"));

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("$.training.reportTo[1]").And.Contain("tensorboard, none").And.Contain("'wandb'");
        Directory.Exists(folder.Combine("run")).Should().BeFalse();
    }

    /// <summary>Reads TFRecord framing and checks both checksums of every record, as TensorBoard does.</summary>
    private static List<Event> ReadEvents(string path)
    {
        var bytes = File.ReadAllBytes(path).AsSpan();
        var events = new List<Event>();
        while (bytes.Length > 0)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]).Should().Be(TensorBoardLog.MaskedCrc32C(bytes[..8]));
            var data = bytes.Slice(12, length);
            BinaryPrimitives.ReadUInt32LittleEndian(bytes[(12 + length)..]).Should().Be(TensorBoardLog.MaskedCrc32C(data));
            events.Add(Event.Parser.ParseFrom(data.ToArray()));
            bytes = bytes[(16 + length)..];
        }
        return events;
    }
}
