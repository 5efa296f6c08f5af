using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.Modeling;

public sealed class BertModelTests
{
    [Fact]
    public void Parameter_names_are_hugging_faces()
    {
        using var model = TinyBert.Model();
        var names = model.NamedParameters.Select(p => p.Name).ToList();

        names.Should().Contain([
            "bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight",
            "bert.embeddings.token_type_embeddings.weight", "bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias",
            "bert.encoder.layer.0.attention.self.query.weight", "bert.encoder.layer.0.attention.self.key.bias",
            "bert.encoder.layer.0.attention.self.value.weight", "bert.encoder.layer.0.attention.output.dense.weight",
            "bert.encoder.layer.0.attention.output.LayerNorm.weight", "bert.encoder.layer.1.intermediate.dense.weight",
            "bert.encoder.layer.1.output.dense.bias", "bert.encoder.layer.1.output.LayerNorm.bias", "qa_outputs.weight", "qa_outputs.bias"]);
        names.Should().HaveCount(5 + 2 * 16 + 2);
        model.Linears.Keys.Should().HaveCount(2 * 6).And.Contain("bert.encoder.layer.1.attention.self.query")
            .And.Contain("bert.encoder.layer.0.attention.output.dense").And.Contain("bert.encoder.layer.0.intermediate.dense")
            .And.Contain("bert.encoder.layer.0.output.dense");
        model.Linears["bert.encoder.layer.1.attention.self.query"].Name.Should().Be("bert.encoder.layer.1.attention.self.query");
    }

    [Fact]
    public void Padding_does_not_change_the_real_tokens_outputs()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var (ids, mask, types) = TinyBert.Batch();
        using var _ = no_grad();

        var (batchedStart, _) = model.Forward(ids, mask, types);
        var (aloneStart, _) = model.Forward(ids[1].narrow(0, 0, 6).unsqueeze(0), null, types[1].narrow(0, 0, 6).unsqueeze(0));

        (batchedStart[1].narrow(0, 0, 6) - aloneStart[0]).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void Eval_mode_is_deterministic_and_train_mode_applies_dropout()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model(dropout: 0.5);
        var (ids, mask, types) = TinyBert.Batch();
        using var _ = no_grad();

        var first = model.Forward(ids, mask, types).Start;
        var second = model.Forward(ids, mask, types).Start;
        model.train();
        var dropped = model.Forward(ids, mask, types).Start;

        first.allclose(second, rtol: 0, atol: 0).Should().BeTrue();
        dropped.allclose(first).Should().BeFalse();
    }

    [Fact]
    public void Attention_dropout_alone_changes_training_outputs_and_can_be_switched_off()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model(dropout: 0);
        var (ids, mask, types) = TinyBert.Batch();
        model.train();
        var plain = model.Forward(ids, mask, types).Start;

        model.SetAttentionDropout(0.5);
        var dropped = model.Forward(ids, mask, types).Start;
        model.SetAttentionDropout(0);
        var again = model.Forward(ids, mask, types).Start;

        dropped.allclose(plain, rtol: 1e-3, atol: 1e-3).Should().BeFalse("attention dropout 0.5 is applied while training");
        again.allclose(plain, rtol: 1e-5, atol: 1e-6).Should().BeTrue("attention dropout 0 is the plain forward");
    }

    [Fact]
    public void Weights_from_a_private_generator_ignore_draws_from_the_process_wide_one()
    {
        using var scope = NewDisposeScope();
        using var first = TinyBert.Model(seed: 4);
        manual_seed(99);
        using (randn(1000)) { }
        using var second = TinyBert.Model(seed: 4);
        using var other = TinyBert.Model(seed: 5);

        foreach (var ((name, a), (_, b)) in first.named_parameters().Zip(second.named_parameters()))
            a.allclose(b, rtol: 0, atol: 0).Should().BeTrue($"{name} depends on the seed alone");
        first.named_parameters().Zip(other.named_parameters()).Any(p => !p.First.parameter.allclose(p.Second.parameter, rtol: 0, atol: 0))
            .Should().BeTrue("another seed gives other weights");
    }

    /// <summary>
    /// Training on a CPU computes attention eagerly (faster to differentiate there), inference with the fused kernel: the
    /// same outputs and the same gradients.
    /// </summary>
    [Fact]
    public void Training_attention_matches_the_fused_kernel_in_outputs_and_gradients()
    {
        using var scope = NewDisposeScope();
        var (eagerStart, eagerGradients) = StartAndGradients(training: true);
        var (fusedStart, fusedGradients) = StartAndGradients(training: false);

        (eagerStart - fusedStart).abs().max().item<float>().Should().BeLessThan(1e-5f);
        for (int i = 0; i < fusedGradients.Count; i++)
        {
            float scale = fusedGradients[i].abs().max().item<float>();
            (eagerGradients[i] - fusedGradients[i]).abs().max().item<float>().Should().BeLessThanOrEqualTo(1e-5f * Math.Max(scale, 1));
        }
    }

    /// <summary>Start logits and every gradient, dropout off, in training mode (eager attention) or not (fused).</summary>
    private static (Tensor Start, List<Tensor> Gradients) StartAndGradients(bool training)
    {
        using var model = TinyBert.Model(dropout: 0);
        model.train(training);
        return TinyBert.StartAndGradients(model, model.NamedParameters.Select(p => p.Parameter));
    }

    [Fact]
    public void Hidden_dropout_can_be_set_for_training_and_0_is_the_plain_forward()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model(dropout: 0.3);
        model.SetAttentionDropout(0);
        var (ids, mask, types) = TinyBert.Batch();
        var evaluated = TinyBert.StartLogits(model);
        model.train();
        using var noGrad = no_grad();

        var dropped = model.Forward(ids, mask, types).Start;
        model.SetHiddenDropout(0);
        var plain = model.Forward(ids, mask, types).Start;

        dropped.allclose(evaluated, rtol: 1e-3, atol: 1e-3).Should().BeFalse("the config's hidden dropout 0.3 applies while training");
        plain.allclose(evaluated, rtol: 1e-5, atol: 1e-6).Should().BeTrue("hidden dropout 0 (and attention dropout 0) is the plain forward");
    }

    [Fact]
    public void Save_then_load_gives_identical_outputs()
    {
        using var folder = new TemporaryFolder();
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model(seed: 7);
        var vocab = folder.WriteFile("vocab.txt", string.Join('\n', Enumerable.Range(0, 99).Select(i => i switch
        {
            0 => "[PAD]", 1 => "[UNK]", 2 => "[CLS]", 3 => "[SEP]", _ => $"w{i}",
        })));
        var (ids, mask, types) = TinyBert.Batch();
        using var _ = no_grad();
        var before = model.Forward(ids, mask, types);

        Checkpoint.Save(model, vocab, folder.Combine("saved"));
        var loaded = Checkpoint.Load(folder.Combine("saved"), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        loaded.Model.eval();
        var after = loaded.Model.Forward(ids, mask, types);

        loaded.Report.MissingKeys.Should().BeEmpty();
        loaded.Report.UnexpectedKeys.Should().BeEmpty();
        after.Start.allclose(before.Start, rtol: 0, atol: 0).Should().BeTrue();
        after.End.allclose(before.End, rtol: 0, atol: 0).Should().BeTrue();
        File.ReadAllText(folder.Combine("saved", "config.json")).Should().Contain("\"BertForQuestionAnswering\"").And.Contain("\"hidden_size\": 32");
    }

    [Fact]
    public void Loss_is_the_mean_of_start_and_end_cross_entropy_ignoring_positions_outside()
    {
        using var scope = NewDisposeScope();
        var start = tensor(new float[] { 1, 2, 3, 0, 0, 1 }).view(2, 3);
        var end = tensor(new float[] { 0, 1, 0, 2, 0, 0 }).view(2, 3);

        var loss = BertForQuestionAnswering.Loss(start, end, tensor(new long[] { 2, 9 }), tensor(new long[] { 1, 0 }));

        double Ce(float[] logits, int target) => Math.Log(logits.Sum(x => Math.Exp(x))) - logits[target];
        // Row 1's start position 9 is outside the sequence: clamped to 3 and ignored, so the start loss is row 0's alone.
        double expected = (Ce([1, 2, 3], 2) + (Ce([0, 1, 0], 1) + Ce([2, 0, 0], 0)) / 2) / 2;
        loss.item<float>().Should().BeApproximately((float)expected, 1e-6f);
    }

    [Fact]
    public void A_branch_that_adds_nothing_changes_nothing_and_a_merged_delta_equals_its_branch()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var (ids, mask, types) = TinyBert.Batch();
        using var _ = no_grad();
        Tensor Hidden() => model.Bert.Forward(ids, mask, types);
        var baseline = Hidden();
        var query = model.Linears["bert.encoder.layer.0.attention.self.query"];

        query.AddExtension("zero", new DeltaBranch(zeros(32, 32)));
        Hidden().allclose(baseline, rtol: 0, atol: 0).Should().BeTrue();
        query.RemoveExtension("zero").Should().BeTrue();

        manual_seed(3);
        var delta = randn(32, 32);
        query.AddExtension("delta", new DeltaBranch(delta));
        var withBranch = Hidden();
        query.RemoveExtension("delta");
        query.MergeIntoWeight(delta);
        var merged = Hidden();
        query.UnmergeFromWeight(delta);
        var restored = Hidden();

        (withBranch - baseline).abs().max().item<float>().Should().BeGreaterThan(1e-3f, "the delta matters");
        (merged - withBranch).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (restored - baseline).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void Virtual_tokens_keep_logits_aligned_to_the_real_tokens()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var (ids, mask, types) = TinyBert.Batch();
        using var _ = no_grad();
        var baseline = model.Forward(ids, mask, types).Start;

        model.VirtualTokens = new FixedVirtualTokens(randn(5, 32));
        var (start, end) = model.Forward(ids, mask, types);

        start.shape.Should().Equal(2, 8);
        end.shape.Should().Equal(2, 8);
        (start - baseline).abs().max().item<float>().Should().BeGreaterThan(1e-4f, "the prompt changes the encoding");
        model.VirtualTokens = null;
        model.Forward(ids, mask, types).Start.allclose(baseline, rtol: 0, atol: 0).Should().BeTrue();
    }

    [Fact]
    public void Attention_prefixes_keep_the_output_length_and_cost_nothing_once_removed()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        var (ids, mask, types) = TinyBert.Batch();
        using var _ = no_grad();
        var baseline = model.Forward(ids, mask, types).Start;

        model.AttentionPrefixes = new FixedPrefixes(randn(2, 4, 3, 8), randn(2, 4, 3, 8));
        var prefixed = model.Forward(ids, mask, types).Start;
        model.AttentionPrefixes = null;
        var removed = model.Forward(ids, mask, types).Start;

        prefixed.shape.Should().Equal(2, 8);
        (prefixed - baseline).abs().max().item<float>().Should().BeGreaterThan(1e-4f);
        removed.allclose(baseline, rtol: 0, atol: 0).Should().BeTrue();
    }

    private sealed class DeltaBranch(Tensor delta) : ILinearExtension
    {
        public bool Enabled => true;
        public Tensor TransformOutput(Tensor input, Tensor output) => output + nn.functional.linear(input, delta);
    }

    private sealed class FixedVirtualTokens(Tensor embeddings) : IVirtualTokenSource
    {
        public int Count => (int)embeddings.shape[0];
        public Tensor Embeddings(long batchSize) => embeddings.unsqueeze(0).expand(batchSize, -1, -1);
    }

    private sealed class FixedPrefixes(Tensor key, Tensor value) : IAttentionPrefixSource
    {
        public int Length => (int)key.shape[2];
        public (Tensor Key, Tensor Value) Prefix(int layer, long batchSize) => (key, value);
    }
}
