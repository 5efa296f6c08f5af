using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace PeftQa.Tests.Runs;

/// <summary>
/// <c>precision: auto</c> is resolved once, when a run starts, and pinned in its folder: a resume, a shard, a report and
/// status on a host whose CPU answers otherwise use the pinned precision, never a silent switch. The other host is
/// simulated with <see cref="Bf16Support.SimulateVariable"/> in real child processes.
/// </summary>
[Collection(SerialCollection.Name)]
[Trait(PrecisionSensitive.Trait, PrecisionSensitive.Value)]
public sealed class PinnedPrecisionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("native", true)]
    [InlineData("NATIVE ", true)]
    [InlineData("emulated", false)]
    public void The_switch_makes_auto_resolve_as_on_another_host(string value, bool native)
    {
        var avx2 = Bf16Support.OfCpu(new HashSet<string> { "avx2" });

        var simulated = Bf16Support.Simulated(avx2, value);

        simulated.Native.Should().Be(native);
        simulated.Evidence.Should().Contain(Bf16Support.SimulateVariable).And.Contain(avx2.Evidence, "the real CPU is still named");
        ComputePrecision.Resolve(Host.Recipes.Precision.Auto, simulated).Used.Should().Be(native ? Host.Recipes.Precision.Bf16 : Host.Recipes.Precision.Fp32);
        Bf16Support.Simulated(avx2, null).Should().Be(avx2, "unset, the CPU's own flags decide");
        Bf16Support.Simulated(avx2, "").Should().Be(avx2);
        FluentActions.Invoking(() => Bf16Support.Simulated(avx2, "yes")).Should().Throw<BadInputException>()
            .WithMessage($"{Bf16Support.SimulateVariable}=yes: expected native or emulated*");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_run_started_in_bf16_and_resumed_on_a_host_without_native_bf16_stays_bf16_and_ends_exactly_as_uninterrupted()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), TinyRuns.Vocabulary);
        var recipe = folder.WriteFile("tiny.json", EndToEndRunTests.TinyRecipe(model, maxSteps: 90, checkpointEvery: 10, folder.Combine("runs")));
        var (referenceCode, referenceLog) = await PrecisionSensitive.RunAsOnHost(nativeBf16: true, "run", recipe, "--out", folder.Combine("reference"));
        referenceCode.Should().Be(0, referenceLog);

        var killed = folder.Combine("killed");
        (await KillAndResumeTests.KillOnceCheckpointed(PrecisionSensitive.StartAsOnHost(nativeBf16: true, "run", recipe, "--out", killed),
            Path.Combine(killed, "studies", "full", "tasks", "1-products", "checkpoints"))).Should().NotBe(0, "the run was killed, not finished");
        File.Exists(Path.Combine(killed, "results.json")).Should().BeFalse("the kill came before the end");
        JsonNode.Parse(File.ReadAllText(Path.Combine(killed, "precision.json")))!["used"]!.GetValue<string>().Should().Be("bf16", "the run folder pins what auto resolved to");
        var (resumedCode, resumedLog) = await PrecisionSensitive.RunAsOnHost(nativeBf16: false, "run", recipe, "--out", killed, "--resume");

        resumedCode.Should().Be(0, resumedLog);
        output.WriteLine(resumedLog);
        resumedLog.Should().Contain("Resuming full/products from").And.Contain("pinned when the run started")
            .And.Contain("expect it to be slower than fp32", "bf16 on a host that only emulates it is used anyway, with a warning");
        Losses(killed).Should().Equal(Losses(folder.Combine("reference")), "no switch to fp32 half way");
        PrecisionUsed(killed).Should().Be("bf16");
        File.ReadAllBytes(Path.Combine(killed, "studies", "full", "model", "model.safetensors"))
            .Should().Equal(File.ReadAllBytes(folder.Combine("reference", "studies", "full", "model", "model.safetensors")));

        var (statusCode, status) = await PrecisionSensitive.RunAsOnHost(nativeBf16: false, "status", killed);
        statusCode.Should().Be(0, status);
        status.Should().Contain("Precision: bf16 (auto: ");
        File.Delete(Path.Combine(killed, "report.md"));
        var (reportCode, reportLog) = await PrecisionSensitive.RunAsOnHost(nativeBf16: false, "report", killed);
        reportCode.Should().Be(0, reportLog);
        File.ReadAllText(Path.Combine(killed, "report.md")).Should().Contain("computed in bf16");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Shards_on_a_host_with_native_bf16_keep_the_fp32_their_preparation_pinned()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, _) = TinyRuns.Create(folder, adapters: """[{ "strategy": "full" }, { "strategy": "lora" }]""");
        var runFolder = folder.Combine("run");

        var (preparedCode, preparedLog) = await PrecisionSensitive.RunAsOnHost(nativeBf16: false, "run", recipe, "--out", runFolder, "--stage", "baseline");
        preparedCode.Should().Be(0, preparedLog);
        var (shardCode, shardLog) = await PrecisionSensitive.RunAsOnHost(nativeBf16: true, "run", recipe, "--out", runFolder, "--shard", "0/2");
        var (studyCode, studyLog) = await PrecisionSensitive.RunAsOnHost(nativeBf16: true, "run", recipe, "--out", runFolder, "--study", "lora");
        var (reportCode, reportLog) = await PrecisionSensitive.RunAsOnHost(nativeBf16: true, "report", runFolder);

        shardCode.Should().Be(0, shardLog);
        studyCode.Should().Be(0, studyLog);
        reportCode.Should().Be(0, reportLog);
        var studies = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!["studies"]!.AsArray();
        studies.Select(s => s!["precision"]!["used"]!.GetValue<string>()).Should().Equal(["fp32", "fp32"], "every study computes in what the preparation pinned");
        File.ReadAllText(Path.Combine(runFolder, "report.md")).Should().Contain("computed in fp32");
    }

    private static string PrecisionUsed(string runFolder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!["studies"]![0]!["precision"]!["used"]!.GetValue<string>();

    private static List<double> Losses(string runFolder) => RunMetrics.Lines(runFolder).Select(l => JsonNode.Parse(l)!)
        .Where(n => n["loss"] is not null).Select(n => n["loss"]!.GetValue<double>()).ToList();
}
