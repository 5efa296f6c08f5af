using FluentAssertions;
using PeftQa.Host.Recipes;
using PeftQa.Host.Training;
using PeftQa.Plugins.Lora;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.BundledPlugins.Lora;

/// <summary>LoRA+ as PEFT's create_loraplus_optimizer groups it: B matrices and 1-D parameters at ratio times the learning rate.</summary>
[Collection(SerialCollection.Name)]
public sealed class LoraPlusTests
{
    [Fact]
    public void B_matrices_and_one_dimensional_parameters_carry_the_ratio()
    {
        using var model = TinyBert.Model();
        using var adapter = new LoraStrategy().Attach(model, new LoraOptions { LoraPlusRatio = 16 });

        var scales = adapter.TrainableParameters.ToDictionary(p => p.Name, p => p.LearningRateScale);

        scales["bert.encoder.layer.0.attention.self.query.lora_B.weight"].Should().Be(16);
        scales["bert.encoder.layer.0.attention.self.query.lora_A.weight"].Should().Be(1);
        scales["qa_outputs.bias"].Should().Be(16, "PEFT puts every 1-D parameter in B's group");
        scales["qa_outputs.weight"].Should().Be(1);
    }

    [Fact]
    public void The_training_step_runs_each_group_at_its_scaled_learning_rate_and_plain_lora_keeps_its_two_groups()
    {
        using var scope = NewDisposeScope();
        using var model = TinyBert.Model();
        using var plus = new LoraStrategy().Attach(model, new LoraOptions { LoraPlusRatio = 16 });
        var settings = new TrainingSettings { LearningRate = 1e-3 };
        using var step = new TrainingStep(model, plus.TrainableParameters, settings, 0, CPU);
        var features = TinyFeatures.Windows(4);

        step.Take([features], 0, 2e-3);

        step.Optimizer.ParamGroups.Select(g => g.LearningRate).Should().Equal(2e-3, 3.2e-2, 3.2e-2);
        step.Optimizer.ParamGroups.Cast<TorchSharp.Modules.AdamW.ParamGroup>().Select(g => g.Options.weight_decay).Should().Equal(settings.WeightDecay, settings.WeightDecay, 0);
        plus.Dispose();
        using var plain = new LoraStrategy().Attach(model, new LoraOptions());
        ParameterGroup.Of(plain.TrainableParameters).Select(g => (g.Decays, g.LearningRateScale)).Should().Equal((true, 1.0), (false, 1.0));
    }

    [Fact]
    public void A_ratio_that_is_not_positive_is_refused()
    {
        new LoraStrategy().Validate(new LoraOptions { LoraPlusRatio = 0 }, TinyBert.Config().Describe("tiny"))
            .Should().ContainSingle().Which.Should().StartWith("loraPlusRatio: expected a finite number > 0");
    }
}
