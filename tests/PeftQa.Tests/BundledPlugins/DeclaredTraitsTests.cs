using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Plugins.FullFineTune;
using PeftQa.Plugins.Lora;
using PeftQa.Plugins.SoftPrompt;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.BundledPlugins;

/// <summary>What each bundled strategy declares about itself is what it does when attached.</summary>
[Collection(SerialCollection.Name)]
public sealed class DeclaredTraitsTests
{
    public static TheoryData<string> Strategies => ["full", "lora", "dora", "ia3", "prompt-tuning", "p-tuning-v2"];

    internal static (IAdapterStrategy Strategy, object Options) Make(string name) => name switch
    {
        "full" => (new FullFineTuneStrategy(), new FullFineTuneOptions()),
        "lora" => (new LoraStrategy(), new LoraOptions()),
        "dora" => (new LoraStrategy(), new LoraOptions { UseDora = true }),
        "ia3" => (new Ia3Strategy(), new Ia3Options()),
        "prompt-tuning" => (new PromptTuningStrategy(), new PromptTuningOptions { VirtualTokens = 3, Init = "random" }),
        _ => (new PTuningV2Strategy(), new PTuningV2Options { PrefixLength = 2 }),
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Declared_traits_match_what_attaching_does(string name)
    {
        using var scope = NewDisposeScope();
        var (strategy, options) = Make(name);
        using var model = TinyBert.Model();
        var head = model.HeadParameters.Select(p => (Tensor)p.Parameter).ToHashSet(ReferenceEqualityComparer.Instance);
        var own = model.NamedParameters.Select(p => (Tensor)p.Parameter).ToHashSet(ReferenceEqualityComparer.Instance);

        var traits = strategy.Traits(options);
        using var first = strategy.Attach(model, options);

        traits.Strategy.Should().Be(strategy.Name);
        traits.TrainsBaseWeights.Should().Be(first.TrainableParameters.Any(p => own.Contains(p.Parameter) && !head.Contains(p.Parameter)));
        traits.HasLoraFactors.Should().Be(first.TrainableParameters.Any(p => p.Name.EndsWith(".lora_A.weight")));
        first.TrainableParameters.Should().Contain(p => head.Contains(p.Parameter), "every bundled strategy trains the QA head");
        traits.CanAttachSeveral.Should().Be(SecondAttaches(strategy, options, model, first, own));
    }

    /// <summary>Beside a disabled first adapter, a second one attaches with parameters of its own.</summary>
    private static bool SecondAttaches(IAdapterStrategy strategy, object options, IAdaptableModel model, IAdapter first, HashSet<object?> own)
    {
        try
        {
            first.Enabled = false;
            using var second = strategy.Attach(model, options);
            return !second.TrainableParameters.Where(p => !own.Contains(p.Parameter))
                .Any(p => first.TrainableParameters.Any(f => ReferenceEquals(f.Parameter, p.Parameter)));
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            return false;
        }
    }
}
