using FluentAssertions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Modeling;

/// <summary>A model's config.json with a field of the wrong kind: the field and what it takes in words, no .NET type names.</summary>
public sealed class ModelConfigInputTests
{
    [Theory]
    [InlineData("""{ "model_type": "bert", "hidden_size": "384" }""", "$.hidden_size: not a valid config: expected a whole number")]
    [InlineData("""{ "model_type": "bert", "layer_norm_eps": "small" }""", "$.layer_norm_eps: not a valid config: expected a number")]
    [InlineData("""{ "model_type": "bert", "architectures": "BertModel" }""", "$.architectures: not a valid config: expected a list of strings")]
    public void A_field_of_the_wrong_kind_is_named_in_words(string json, string expected)
    {
        using var folder = new TemporaryFolder();
        var path = folder.WriteFile("config.json", json);

        var act = () => BertConfig.Load(path);

        act.Should().Throw<BadInputException>().Which.Problems.Should().Equal($"{path}: {expected}");
    }
}
