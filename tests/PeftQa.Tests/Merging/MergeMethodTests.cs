using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Host.Merging;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.Merging;

/// <summary>Each bundled method against numbers worked out by hand (see the comments), and the identities between methods.</summary>
public sealed class MergeMethodTests
{
    private static readonly MergeSettings HalfDensity = new(Density: 0.5);

    private static float[] Values(Tensor t) => t.data<float>().ToArray();

    private static Tensor Merge(IMergeMethod method, MergeSettings settings, double[] weights, params float[][] deltas)
    {
        using var generator = new Generator(7);
        return method.Merge(deltas.Select(d => tensor(d)).ToList(), weights, settings, generator);
    }

    [Fact]
    public void Ties_trims_elects_the_sign_by_total_mass_and_averages_the_agreeing_entries()
    {
        // Trim to the top 2 of 4 by magnitude: a -> [0, -2, 3, 0], b -> [-3, 0, 2, 0]. Total mass [-3, -2, 5, 0] elects
        // signs [-, -, +, +]. Agreeing: a at 1 and 2, b at 0 and 2. Weighted (1, 0.5): a [0, -2, 3, 0], b [-1.5, 0, 1, 0].
        // Mean of the agreeing: [-1.5 / 1, -2 / 1, (3 + 1) / 2, 0 / max(0, 1)].
        var merged = Merge(new TiesMerge(), HalfDensity, [1, 0.5], [1, -2, 3, -0.5f], [-3, 1, 2, 0.1f]);

        Values(merged).Should().Equal(-1.5f, -2, 2, 0);
    }

    [Fact]
    public void Ties_with_frequency_elects_the_most_common_sign_where_total_mass_elects_the_largest()
    {
        // One entry, three task vectors 5, -1, -1 (density 1): the total 3 elects +, so only 5 agrees; the signs' sum -1
        // elects -, so -1 and -1 agree and their mean is -1.
        float[][] deltas = [[5], [-1], [-1]];

        Values(Merge(new TiesMerge(), new MergeSettings(1, "total"), [1, 1, 1], deltas)).Should().Equal(5);
        Values(Merge(new TiesMerge(), new MergeSettings(1, "frequency"), [1, 1, 1], deltas)).Should().Equal(-1);
    }

    [Fact]
    public void Magnitude_prune_trims_each_task_vector_then_sums_them_weighted()
    {
        // a -> [0, -2, 3, 0], b -> [-3, 0, 2, 0] times 0.5 -> [-1.5, 0, 1, 0]; the sum [-1.5, -2, 4, 0].
        var merged = Merge(new MagnitudePruneMerge(), HalfDensity, [1, 0.5], [1, -2, 3, -0.5f], [-3, 1, 2, 0.1f]);

        Values(merged).Should().Equal(-1.5f, -2, 4, 0);
    }

    [Fact]
    public void Linear_is_the_weighted_sum()
    {
        Values(Merge(new LinearMerge(), new MergeSettings(), [0.25, 2], [4, -8], [1, 0.5f])).Should().Equal(3, -1);
    }

    [Fact]
    public void Dare_keeps_entries_with_probability_density_rescaled_so_the_expectation_is_the_task_vector()
    {
        using var ones = full(200_000, 1f);
        using var generator = new Generator(11);

        using var dropped = TaskVectorMath.PruneAtRandom(ones, 0.3, generator);

        float kept = dropped.count_nonzero().item<long>() / 200_000f;
        kept.Should().BeApproximately(0.3f, 0.005f);
        dropped.max().item<float>().Should().BeApproximately(1 / 0.3f, 1e-5f, "a kept entry is divided by the density");
        dropped.mean().item<float>().Should().BeApproximately(1, 0.02f, "the rescaled drop is unbiased");
    }

    [Fact]
    public void Dare_with_a_fixed_seed_drops_the_same_entries_every_time_and_another_seed_drops_others()
    {
        var deltas = Enumerable.Range(0, 2).Select(i => (Tensor)arange(1, 101, dtype: ScalarType.Float32) * (i + 1)).ToList();
        Tensor Run(ulong seed, IMergeMethod method)
        {
            using var generator = new Generator(seed);
            return method.Merge(deltas, [1, 1], HalfDensity, generator);
        }

        foreach (var method in new IMergeMethod[] { new DareLinearMerge(), new DareTiesMerge() })
        {
            Run(3, method).allclose(Run(3, method), rtol: 0, atol: 0).Should().BeTrue(method.Name);
            Run(3, method).allclose(Run(4, method), rtol: 0, atol: 0).Should().BeFalse(method.Name);
        }
    }

    [Fact]
    public void Dare_ties_elects_signs_among_the_entries_the_drop_kept()
    {
        // Density 1 keeps everything: dare_ties is then ties at density 1.
        float[][] deltas = [[2, -1, 0.5f], [-1, -3, 1]];
        var dareTies = Merge(new DareTiesMerge(), new MergeSettings(1), [1, 1], deltas);
        var ties = Merge(new TiesMerge(), new MergeSettings(1), [1, 1], deltas);

        // Total mass [1, -4, 1.5] elects [+, -, +]: entry 0 keeps 2, entry 1 the mean of -1 and -3, entry 2 that of 0.5 and 1.
        Values(dareTies).Should().Equal(2, -2, 0.75f);
        Values(ties).Should().Equal(Values(dareTies));
    }

    [Fact]
    public void Svd_at_full_rank_equals_linear_and_a_lower_rank_gives_a_matrix_of_that_rank()
    {
        using var generator = new Generator(5);
        var deltas = new List<Tensor> { randn(8, 6, generator: generator), randn(8, 6, generator: generator) };
        double[] weights = [0.7, 0.3];

        using var linear = new LinearMerge().Merge(deltas, weights, new MergeSettings(), generator);
        using var full = new SvdMerge().Merge(deltas, weights, new MergeSettings(Rank: 6), generator);
        using var rank2 = new SvdMerge().Merge(deltas, weights, new MergeSettings(Rank: 2), generator);

        (full - linear).abs().max().item<float>().Should().BeLessThan(1e-5f);
        linalg.matrix_rank(rank2).item<long>().Should().Be(2);
        // Eckart-Young: the truncation's error is the norm of the dropped singular values.
        var singular = linalg.svdvals(linear);
        ((rank2 - linear).square().sum().sqrt().item<float>()).Should().BeApproximately(singular.narrow(0, 2, 4).square().sum().sqrt().item<float>(), 1e-4f);
    }

    [Fact]
    public void Merging_one_task_vector_with_weight_1_gives_it_back()
    {
        float[] delta = [0.5f, -1.5f, 2, 0];
        var settings = new MergeSettings(Density: 1);
        foreach (var method in MergeMethods.Bundled().Where(m => m is not SvdMerge))
            Values(Merge(method, settings, [1], delta)).Should().Equal(delta, method.Name);
        using var generator = new Generator(1);
        var matrix = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).view(2, 3);
        new SvdMerge().Merge([matrix], [1], settings, generator).allclose(matrix, atol: 1e-5).Should().BeTrue();
    }

    [Fact]
    public void Methods_leave_their_arguments_unchanged()
    {
        var deltas = new List<Tensor> { tensor(new float[] { 1, -2, 3, -4 }), tensor(new float[] { -1, 2, 0.5f, 4 }) };
        var copies = deltas.Select(d => d.clone()).ToList();
        using var generator = new Generator(2);
        foreach (var method in MergeMethods.Bundled())
            using (method.Merge(deltas, [1, 1], HalfDensity, generator)) { }

        deltas.Zip(copies).Should().OnlyContain(pair => pair.First.allclose(pair.Second, 0, 0, false));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_density_outside_0_to_1_is_refused_by_every_method_that_reads_it(double density)
    {
        foreach (var method in MergeMethods.Bundled().Where(m => m is not (LinearMerge or SvdMerge)))
            method.Validate(new MergeSettings(density)).Should().ContainSingle().Which.Should().StartWith("density: expected a fraction in (0, 1]");
    }

    [Fact]
    public void Unknown_majority_sign_and_a_rank_below_1_are_refused()
    {
        new TiesMerge().Validate(new MergeSettings(0.5, "median")).Should().ContainSingle().Which.Should().Contain("majoritySign: expected one of total, frequency");
        new SvdMerge().Validate(new MergeSettings(Rank: 0)).Should().ContainSingle().Which.Should().Contain("rank: expected a positive integer");
    }

    [Fact]
    public void A_parameter_seed_depends_on_the_settings_seed_and_the_name_only()
    {
        var settings = new MergeSettings(Seed: 3);
        settings.SeedFor("bert.encoder.layer.0.attention.self.query.weight").Should().Be(new MergeSettings(Seed: 3).SeedFor("bert.encoder.layer.0.attention.self.query.weight"));
        settings.SeedFor("a").Should().NotBe(settings.SeedFor("b"));
        settings.SeedFor("a").Should().NotBe(new MergeSettings(Seed: 4).SeedFor("a"));
    }
}
