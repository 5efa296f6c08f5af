using System.Text.Json.Nodes;
using FluentAssertions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using PeftQa.Tests.BundledPlugins;
using PeftQa.Tests.Runs;
using PeftQa.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Tests.Modeling;

/// <summary>
/// bf16 mixed precision (training.precision, --precision): products and attention in bf16, weights, gradients,
/// logits and loss in fp32; auto decides by the device's native bf16 support; runs stay deterministic and resumable.
/// </summary>
[Collection(SerialCollection.Name)]
[Trait(PrecisionSensitive.Trait, PrecisionSensitive.Value)]
public sealed class MixedPrecisionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Precision.Auto, true, Precision.Bf16, false)]
    [InlineData(Precision.Auto, false, Precision.Fp32, false)]
    [InlineData(Precision.Bf16, true, Precision.Bf16, false)]
    [InlineData(Precision.Bf16, false, Precision.Bf16, true)]
    [InlineData(Precision.Fp32, true, Precision.Fp32, false)]
    public void Auto_picks_bf16_only_where_the_device_computes_it_natively(Precision requested, bool native, Precision used, bool slow)
    {
        var support = new Bf16Support(native, native ? "native, say" : "emulated, say");

        var precision = ComputePrecision.Resolve(requested, support);

        precision.Requested.Should().Be(requested);
        precision.Used.Should().Be(used);
        precision.Slow.Should().Be(slow);
        precision.DType.Should().Be(used == Precision.Bf16 ? ScalarType.BFloat16 : ScalarType.Float32);
        if (requested != Precision.Fp32) precision.Reason.Should().Contain(support.Evidence, "the log and results.json say why");
    }

    [Fact]
    public void Native_bf16_is_read_from_cpu_flags_and_gpu_compute_capability()
    {
        Bf16Support.OfCpu(new HashSet<string> { "avx2", "avx512f", "avx512_bf16" }).Native.Should().BeTrue();
        Bf16Support.OfCpu(new HashSet<string> { "avx2", "amx_bf16", "amx_tile" }).Evidence.Should().Contain("amx_bf16");
        Bf16Support.OfCpu(new HashSet<string> { "avx2", "avx512f" }).Should().Match<Bf16Support>(s => !s.Native && s.Evidence.Contains("AVX512_BF16"));
        Bf16Support.OfCpu(null).Native.Should().BeFalse();
        Bf16Support.OfCuda("9.0").Native.Should().BeTrue();
        Bf16Support.OfCuda("8.0").Native.Should().BeTrue();
        Bf16Support.OfCuda("7.5").Should().Match<Bf16Support>(s => !s.Native && s.Evidence.Contains("7.5"));
        Bf16Support.OfCuda(null).Native.Should().BeFalse("what cannot be read counts as not native, so auto stays fp32");
        Bf16Support.OfCuda("n/a").Native.Should().BeFalse();
        output.WriteLine($"this machine: {Bf16Support.Of(CPU)}");
    }

    [Fact]
    public void Mixed_precision_runs_products_in_bf16_and_keeps_weights_gradients_and_logits_in_fp32()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var (ids, mask, types) = TinyBert.Batch();
        var starts = tensor(new long[] { 3, 2 });
        var ends = tensor(new long[] { 4, 3 });
        var (fp32Loss, fp32Logits, fp32Gradient) = LossLogitsAndGradient(model, ids, mask, types, starts, ends);

        model.UseComputeDType(ScalarType.BFloat16);
        model.ComputeDType.Should().Be(ScalarType.BFloat16);
        using (no_grad())
            model.Bert.Encoder.Layers[0].Attention.Self.Query.forward(randn(2, 8, 32)).dtype.Should().Be(ScalarType.BFloat16, "the product runs in bf16");
        var (bf16Loss, bf16Logits, bf16Gradient) = LossLogitsAndGradient(model, ids, mask, types, starts, ends);

        bf16Logits.dtype.Should().Be(ScalarType.Float32, "the QA head and the loss stay fp32");
        model.NamedParameters.Should().OnlyContain(p => p.Parameter.dtype == ScalarType.Float32, "the master weights stay fp32");
        bf16Gradient.dtype.Should().Be(ScalarType.Float32, "gradients reach the fp32 weights in fp32");
        bf16Logits.eq(fp32Logits).all().item<bool>().Should().BeFalse("bf16 products round differently, so they were really used");
        (bf16Logits - fp32Logits).abs().max().item<float>().Should().BeLessThan(0.05f, "bf16 keeps 8 bits of mantissa; the tiny model's logits stay close");
        bf16Loss.Should().BeApproximately(fp32Loss, 0.02 * fp32Loss);
        CosineSimilarity(bf16Gradient, fp32Gradient).Should().BeGreaterThan(0.99, "the gradient points the same way");

        model.UseComputeDType(ScalarType.Float32);
        var (againLoss, againLogits, _) = LossLogitsAndGradient(model, ids, mask, types, starts, ends);
        againLogits.eq(fp32Logits).all().item<bool>().Should().BeTrue("fp32 again is the plain forward");
        againLoss.Should().Be(fp32Loss);
    }

    [Theory]
    [MemberData(nameof(DeclaredTraitsTests.Strategies), MemberType = typeof(DeclaredTraitsTests))]
    public void Every_bundled_adapter_trains_under_mixed_precision(string name)
    {
        using var scope = NewDisposeScope();
        var (strategy, options) = DeclaredTraitsTests.Make(name);
        using var model = TinyBert.Model();
        using var adapter = strategy.Attach(model, options);
        PerturbZeroInitialised(adapter.TrainableParameters.Select(p => p.Parameter));
        var (ids, mask, types) = TinyBert.Batch();
        var starts = tensor(new long[] { 3, 2 });
        var ends = tensor(new long[] { 4, 3 });
        double fp32Loss = AdapterLoss(model, adapter, ids, mask, types, starts, ends);

        model.UseComputeDType(ScalarType.BFloat16);
        double bf16Loss = AdapterLoss(model, adapter, ids, mask, types, starts, ends);

        bf16Loss.Should().BeApproximately(fp32Loss, 0.02 * fp32Loss, $"{name} computes the same loss in bf16, to bf16's precision");
        foreach (var p in adapter.TrainableParameters)
        {
            p.Parameter.dtype.Should().Be(ScalarType.Float32, p.Name);
            p.Parameter.grad.Should().NotBeNull(p.Name);
            p.Parameter.grad!.dtype.Should().Be(ScalarType.Float32, p.Name);
            p.Parameter.grad!.isfinite().all().item<bool>().Should().BeTrue(p.Name);
        }
        adapter.TrainableParameters.Should().Contain(p => p.Parameter.grad!.abs().sum().item<float>() > 0, "gradients flow through the bf16 products");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_bf16_run_is_deterministic_overlays_the_fp32_curve_and_says_what_it_computed_in()
    {
        using var folder = new TemporaryFolder();
        var (recipe, _, _) = TinyRuns.Create(folder, maxSteps: 12);
        var fp32 = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("fp32"), "--device", "cpu", "--precision", "fp32");
        var bf16 = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("bf16"), "--device", "cpu", "--precision", "bf16");
        var again = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("bf16-again"), "--device", "cpu", "--precision", "bf16");
        var auto = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("auto"), "--device", "cpu");

        foreach (var result in (CliResult[])[fp32, bf16, again, auto]) result.ExitCode.Should().Be(0, result.Error);
        Losses(folder.Combine("bf16")).Should().Equal(Losses(folder.Combine("bf16-again")), "bf16 on the CPU is deterministic with a seed");
        var fp32Losses = Losses(folder.Combine("fp32"));
        var bf16Losses = Losses(folder.Combine("bf16"));
        output.WriteLine($"fp32 losses: {string.Join(" ", fp32Losses)}\nbf16 losses: {string.Join(" ", bf16Losses)}");
        bf16Losses.Should().NotEqual(fp32Losses, "bf16 was really used");
        bf16Losses.Zip(fp32Losses).Should().OnlyContain(p => Math.Abs(p.First - p.Second) <= 0.05 * p.Second, "the curves overlay");

        var native = Bf16Support.Of(CPU).Native;
        PrecisionOf(folder.Combine("bf16")).Should().Match<JsonNode>(p => p["used"]!.GetValue<string>() == "bf16" && p["requested"]!.GetValue<string>() == "bf16"
                                                                     && p["slow"]!.GetValue<bool>() == !native);
        PrecisionOf(folder.Combine("fp32"))["used"]!.GetValue<string>().Should().Be("fp32");
        var route = Fp32ProductRoute.Of(CPU);
        PrecisionOf(folder.Combine("fp32"))["fp32Products"]!["oneDnn"]!.GetValue<bool>().Should().Be(route.OneDnn, "results.json names the route");
        fp32.Out.Should().Contain($"fp32 products: {route.Name} ({route.Reason})", "the plan printout names the route");
        PrecisionOf(folder.Combine("bf16"))["fp32Products"].Should().BeNull("bf16 products take no fp32 route");
        var autoPrecision = PrecisionOf(folder.Combine("auto"));
        autoPrecision["requested"]!.GetValue<string>().Should().Be("auto");
        autoPrecision["used"]!.GetValue<string>().Should().Be(native ? "bf16" : "fp32", "auto follows this CPU's flags");
        autoPrecision["reason"]!.GetValue<string>().Should().StartWith("auto: ").And.Contain(Bf16Support.Of(CPU).Evidence);
        File.ReadAllText(folder.Combine("bf16", "report.md")).Should().Contain("computed in bf16 (bf16 asked for");
        File.ReadAllText(folder.Combine("bf16", "log.json")).Should().Contain("Precision {Precision}");
        bf16.Out.Should().Contain("Precision: bf16 (bf16 asked for", "the plan printout says what the run computes in");
        File.ReadAllText(folder.Combine("bf16", "recipe.json")).Should().Contain("\"precision\": \"bf16\"", "--precision is pinned with the recipe");
        if (!native) bf16.Error.Should().Contain("expect it to be slower than fp32", "bf16 where it is emulated is allowed but logged as slow");

        var resumedOtherwise = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("bf16"), "--device", "cpu", "--resume", "--precision", "fp32");
        resumedOtherwise.ExitCode.Should().Be(2, "a run cannot change precision half way");
        resumedOtherwise.Error.Should().Contain("--precision (sets $.training.precision)").And.Contain("\"bf16\" -> \"fp32\"")
            .And.NotContain("differs from the recipe", "the option changed the precision, not the recipe file");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_bf16_run_killed_mid_training_resumes_exactly()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), TinyRuns.Vocabulary);
        var tiny = JsonNode.Parse(EndToEndRunTests.TinyRecipe(model, maxSteps: 60, checkpointEvery: 10, folder.Combine("runs")))!;
        tiny["training"]!["precision"] = "bf16";
        var recipe = folder.WriteFile("tiny.json", tiny.ToJsonString());
        var (referenceCode, referenceLog) = await KillAndResumeTests.RunToEnd("run", recipe, "--out", folder.Combine("reference"));
        referenceCode.Should().Be(0, referenceLog);

        var killed = folder.Combine("killed");
        var checkpoints = Path.Combine(killed, "studies", "full", "tasks", "1-products", "checkpoints");
        (await KillAndResumeTests.RunUntilCheckpointedThenKill(checkpoints, "run", recipe, "--out", killed)).Should().NotBe(0);
        File.Exists(Path.Combine(killed, "results.json")).Should().BeFalse("the kill came before the end");
        var (resumedCode, resumedLog) = await KillAndResumeTests.RunToEnd("run", recipe, "--out", killed, "--resume");

        resumedCode.Should().Be(0, resumedLog);
        resumedLog.Should().Contain("Resuming full/products from");
        Losses(killed).Should().Equal(Losses(folder.Combine("reference")));
        File.ReadAllBytes(Path.Combine(killed, "studies", "full", "model", "model.safetensors"))
            .Should().Equal(File.ReadAllBytes(folder.Combine("reference", "studies", "full", "model", "model.safetensors")), "the fp32 weights match bit for bit");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_run_from_before_precision_modes_resumes_as_the_fp32_run_it_was()
    {
        using var folder = new TemporaryFolder();
        var (recipe, runFolder, _) = await TinyRuns.Finished(folder);
        var runRecipe = JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "recipe.json")))!;
        runRecipe["training"]!.AsObject().Remove("precision"); // as the earlier version wrote it
        File.WriteAllText(Path.Combine(runFolder, "recipe.json"), runRecipe.ToJsonString());

        var asAuto = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu");
        var asFp32 = await PeftqaCli.Run("run", recipe, "--out", runFolder, "--resume", "--device", "cpu", "--precision", "fp32");

        asAuto.ExitCode.Should().Be(2);
        asAuto.Error.Should().Contain("$.training.precision").And.Contain("fp32").And.Contain("auto");
        asFp32.ExitCode.Should().Be(0, asFp32.Error);
    }

    [Fact]
    public async Task Precisions_other_than_auto_fp32_and_bf16_are_refused_before_any_work()
    {
        using var folder = new TemporaryFolder();
        var (recipe, model, data) = TinyRuns.Create(folder);
        var badRecipe = folder.WriteFile("fp16.json", TinyRuns.SquadRecipe(model, data, training: """, "precision": "fp16" """));

        var fromOption = await PeftqaCli.Run("run", recipe, "--out", folder.Combine("a"), "--device", "cpu", "--precision", "fp16");
        var fromRecipe = await PeftqaCli.Run("run", badRecipe, "--out", folder.Combine("b"), "--device", "cpu");
        var fromEval = await PeftqaCli.Run("eval", "--model", model, "--data", data, "--out", folder.Combine("c"), "--device", "cpu", "--precision", "half");

        fromOption.ExitCode.Should().Be(2);
        fromOption.Error.Should().Contain("fp16").And.Contain("bf16");
        fromRecipe.ExitCode.Should().Be(2);
        fromRecipe.Error.Should().Contain("$.training.precision").And.Contain("fp16");
        fromEval.ExitCode.Should().Be(2);
        foreach (var created in (string[])["a", "b", "c"]) Directory.Exists(folder.Combine(created)).Should().BeFalse($"nothing was created for {created}");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Eval_answers_in_bf16_when_asked_and_says_so()
    {
        using var folder = new TemporaryFolder();
        var (_, runFolder, data) = await TinyRuns.Finished(folder);
        var model = Path.Combine(runFolder, "studies", "full", "model");

        var fp32 = await PeftqaCli.Run("eval", "--model", model, "--data", data, "--out", folder.Combine("fp32"), "--device", "cpu", "--precision", "fp32",
            "--max-length", "64", "--doc-stride", "16");
        var bf16 = await PeftqaCli.Run("eval", "--model", model, "--data", data, "--out", folder.Combine("bf16"), "--device", "cpu", "--precision", "bf16",
            "--max-length", "64", "--doc-stride", "16");

        fp32.ExitCode.Should().Be(0, fp32.Error);
        bf16.ExitCode.Should().Be(0, bf16.Error);
        bf16.Error.Should().Contain("Precision bf16");
        fp32.Error.Should().Contain("Precision fp32");
        JsonNode.Parse(File.ReadAllText(folder.Combine("bf16", "predictions.json")))!.AsObject().Select(p => p.Key)
            .Should().BeEquivalentTo(["q1", "q2", "q3"], "every question is answered");
    }

    private static (double Loss, Tensor Logits, Tensor Gradient) LossLogitsAndGradient(BertForQuestionAnswering model, Tensor ids, Tensor mask, Tensor types,
        Tensor starts, Tensor ends)
    {
        model.zero_grad();
        var (start, end) = model.Forward(ids, mask, types);
        var loss = BertForQuestionAnswering.Loss(start, end, starts, ends);
        loss.backward();
        var gradient = cat(model.NamedParameters.Where(p => p.Parameter.grad is not null).Select(p => p.Parameter.grad!.flatten()).ToList(), 0).clone();
        return (loss.item<float>(), start.detach().clone(), gradient);
    }

    private static double AdapterLoss(BertForQuestionAnswering model, PeftQa.Abstractions.IAdapter adapter, Tensor ids, Tensor mask, Tensor types, Tensor starts, Tensor ends)
    {
        foreach (var p in adapter.TrainableParameters) p.Parameter.grad?.zero_();
        var (start, end) = model.Forward(ids, mask, types);
        var loss = BertForQuestionAnswering.Loss(start, end, starts, ends);
        loss.backward();
        return loss.item<float>();
    }

    /// <summary>LoRA's B starts at zero, so a fresh adapter would compute nothing in bf16 worth comparing; give every parameter a small nudge.</summary>
    private static void PerturbZeroInitialised(IEnumerable<Tensor> parameters)
    {
        using var _ = no_grad();
        manual_seed(5);
        foreach (var p in parameters) p.add_(randn_like(p) * 0.05);
    }

    private static double CosineSimilarity(Tensor a, Tensor b) =>
        (a * b).sum().item<float>() / (a.norm().item<float>() * b.norm().item<float>());

    private static List<double> Losses(string runFolder) => RunMetrics.Lines(runFolder).Select(l => JsonNode.Parse(l)!)
        .Where(n => n["loss"] is not null).Select(n => n["loss"]!.GetValue<double>()).ToList();

    private static JsonNode PrecisionOf(string runFolder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(runFolder, "results.json")))!["studies"]![0]!["precision"]!;
}
