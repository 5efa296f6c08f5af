using MyPlugin;
using PeftQa.Abstractions;
using Xunit;

namespace MyPlugin.Tests;

public sealed class PluginClassStrategyTests
{
    private static readonly ModelDescription MiniLm = new("builtin:minilm-l6", 384, 6, 12, 1536, 30522, 512);

    [Fact]
    public void The_strategy_declares_that_it_trains_base_weights_and_attaches_once()
    {
        var traits = new PluginClassStrategy().Traits(new PluginClassOptions());

        Assert.Equal("my-strategy", traits.Strategy);
        Assert.True(traits.TrainsBaseWeights);
        Assert.False(traits.CanAttachSeveral);
        Assert.NotNull(traits.SecondAttachRefusal);
    }

    [Fact]
    public void Default_options_fit_a_bert_model()
    {
        Assert.Empty(new PluginClassStrategy().Validate(new PluginClassOptions(), MiniLm));
        Assert.NotEmpty(new PluginClassStrategy().Validate(new PluginClassOptions(), MiniLm with { HeadModuleName = "" }));
    }

    [Theory]
    [InlineData("bert.encoder.layer.0.attention.self.query.bias", false, true)]
    [InlineData("bert.encoder.layer.0.attention.self.query.weight", false, false)]
    [InlineData("bert.encoder.layer.0.output.LayerNorm.weight", false, true)]
    [InlineData("qa_outputs.weight", true, true)]
    public void Only_biases_layer_norms_and_the_head_train_by_default(string name, bool isHead, bool trained) =>
        Assert.Equal(trained, PluginClassStrategy.IsTrained(name, isHead, new PluginClassOptions()));
}
