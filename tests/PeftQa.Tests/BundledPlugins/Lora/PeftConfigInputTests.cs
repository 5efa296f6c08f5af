using FluentAssertions;
using PeftQa.Abstractions;
using PeftQa.Plugins.Lora;
using PeftQa.Plugins.SoftPrompt;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.BundledPlugins.Lora;

/// <summary>A PEFT adapter_config.json with a setting of the wrong kind: the field and what it takes, in words.</summary>
[Collection(SerialCollection.Name)]
public sealed class PeftConfigInputTests
{
    [Theory]
    [InlineData("""{ "peft_type": "LORA", "r": "8" }""", "$.r: expected a whole number, got \"8\"")]
    [InlineData("""{ "peft_type": "LORA", "lora_alpha": true }""", "$.lora_alpha: expected a number, got true")]
    [InlineData("""{ "peft_type": "LORA", "use_dora": "yes" }""", "$.use_dora: expected true or false, got \"yes\"")]
    [InlineData("""{ "peft_type": "LORA", "target_modules": ["query", 3] }""", "$.target_modules: expected a module name or a list of module names, got [\"query\",3]")]
    [InlineData("""{ "peft_type": "IA3", "feedforward_modules": { "a": 1 } }""", "$.feedforward_modules: expected a module name or a list of module names, got {\"a\":1}")]
    [InlineData("""{ "peft_type": "PROMPT_TUNING", "num_virtual_tokens": 2.5 }""", "$.num_virtual_tokens: expected a whole number, got 2.5")]
    [InlineData("""{ "peft_type": "PREFIX_TUNING", "prefix_projection": 1 }""", "$.prefix_projection: expected true or false, got 1")]
    public void A_setting_of_the_wrong_kind_names_the_field_and_what_it_takes(string config, string expected)
    {
        using var folder = new TemporaryFolder();
        folder.WriteFile("adapter_config.json", config);
        IAdapterStrategy[] strategies = [new LoraStrategy(), new Ia3Strategy(), new PromptTuningStrategy(), new PTuningV2Strategy()];

        var errors = strategies.Select(s => Record.Exception(() => s.ReadSavedOptions(folder.Path))).OfType<Exception>().ToList();

        errors.Should().ContainSingle().Which.Should().BeOfType<FormatException>().Which.Message.Should().Be(expected);
    }

    [Fact]
    public void A_peft_type_that_is_not_text_is_not_recognised()
    {
        using var folder = new TemporaryFolder();
        folder.WriteFile("adapter_config.json", """{ "peft_type": 3 }""");

        new LoraStrategy().ReadSavedOptions(folder.Path).Should().BeNull();
        new PromptTuningStrategy().ReadSavedOptions(folder.Path).Should().BeNull();
    }

    [Fact]
    public async Task Predict_names_the_config_file_and_the_field_without_dotnet_types()
    {
        using var folder = new TemporaryFolder();
        var model = TinyCheckpoint.Create(folder.Combine("tiny"), TinyRuns.Vocabulary);
        var config = folder.WriteFile("adapter/adapter_config.json", """{ "peft_type": "LORA", "r": "8" }""");

        var result = await PeftqaCli.Run("predict", "--model", model, "--adapter", folder.Combine("adapter"), "--question", "q?", "--context", "c.", "--device", "cpu");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain($"{config}: adapter strategy 'lora' recognises this folder but cannot read its settings: $.r: expected a whole number, got \"8\"")
            .And.NotContain("System.");
    }
}
