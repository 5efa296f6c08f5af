using System.Text;
using FluentAssertions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Recipes;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Recipes;

/// <summary>Recipes a hostile user might write: each is refused before any work with one line naming the JSON path.</summary>
public sealed class RecipeInputTests
{
    private const string Tasks = """ "tasks": [{ "name": "t", "train": "a.json", "eval": "b.json" }] """;

    private static IReadOnlyList<string> ProblemsOf(string json)
    {
        var act = () => RecipeLoader.Parse(json, "recipes/x.json");
        return act.Should().Throw<BadInputException>().Which.Problems;
    }

    [Theory]
    [InlineData("BF16")]
    [InlineData("Auto")]
    [InlineData("FP32")]
    public void A_precision_in_another_case_is_refused_with_the_allowed_values(string precision)
    {
        ProblemsOf($$"""{ "name": "r", {{Tasks}}, "training": { "precision": "{{precision}}" } }""").Should().Equal(
            $"recipes/x.json: $.training.precision: expected one of \"auto\", \"fp32\", \"bf16\", got the string \"{precision}\"");
    }

    [Fact]
    public void Every_precision_as_written_in_the_docs_is_accepted()
    {
        foreach (var (text, value) in new[] { ("auto", Precision.Auto), ("fp32", Precision.Fp32), ("bf16", Precision.Bf16) })
            RecipeLoader.Parse($$"""{ "name": "r", {{Tasks}}, "training": { "precision": "{{text}}" } }""", "x.json")
                .Recipe.Training.Precision.Should().Be(value);
    }

    [Fact]
    public void A_metric_named_twice_is_refused_naming_the_field_and_the_name()
    {
        ProblemsOf($$"""{ "name": "r", {{Tasks}}, "evaluation": { "metrics": ["exact_match", "f1", "F1"], "continualMetrics": ["acc", "bwt", "acc"] } }""")
            .Should().Equal(
                "recipes/x.json: $.evaluation.metrics[2]: duplicate metric 'F1' (also at $.evaluation.metrics[1])",
                "recipes/x.json: $.evaluation.continualMetrics[2]: duplicate continual metric 'acc' (also at $.evaluation.continualMetrics[0])");
    }

    [Fact]
    public void A_label_too_long_for_a_file_name_is_refused_naming_where_it_comes_from_and_the_limit()
    {
        var label = new string('a', 235);
        ProblemsOf($$"""{ "name": "r", {{Tasks}}, "adapters": [{ "strategy": "full", "label": "{{label}}" }] }""").Should().Equal(
            "recipes/x.json: $.adapters[0]: study label 'aaaaaaaaaaaaaaaaaaaa...aaaaaaaaaaaa' is 235 bytes as a file name; the limit is 234 " +
            "(file systems allow 255, and the run adds up to 21, as in charts/through-sequence-<label>.png); shorten it");
        RecipeLoader.Parse($$"""{ "name": "r", {{Tasks}}, "adapters": [{ "strategy": "full", "label": "{{label[1..]}}" }] }""", "x.json")
            .Recipe.Adapters[0].Label.Should().HaveLength(234);
    }

    [Fact]
    public void Label_lengths_count_bytes_and_a_continual_label_counts_in_the_study_label()
    {
        // 'é' is two bytes in UTF-8: 118 of them are 236 bytes in only 118 characters.
        var accents = new string('é', 118);
        ProblemsOf($$"""{ "name": "r", {{Tasks}}, "adapters": [{ "strategy": "full", "label": "{{accents}}" }] }""")
            .Should().ContainSingle().Which.Should().Contain("$.adapters[0]: study label").And.Contain("is 236 bytes");
        ProblemsOf($$"""{ "name": "r", {{Tasks}}, "continual": [{ "strategy": "naive" }, { "strategy": "replay", "label": "{{new string('r', 230)}}" }] }""")
            .Should().ContainSingle().Which.Should().StartWith("recipes/x.json: $.adapters[0] with $.continual[1]: study label 'full+rrrrrrrrrrrrrrr").And.Contain("is 235 bytes");
    }

    [Fact]
    public void A_task_name_too_long_for_a_file_name_is_refused()
    {
        var name = new string('t', 235);
        ProblemsOf($$"""{ "name": "r", "tasks": [{ "name": "{{name}}", "train": "a.json", "eval": "b.json" }] }""")
            .Should().ContainSingle().Which.Should().StartWith("recipes/x.json: $.tasks[0].name: task name 'tttt").And.Contain("is 235 bytes as a file name; the limit is 234");
    }

    [Fact]
    public void A_recipe_name_too_long_for_a_run_folder_is_refused()
    {
        ProblemsOf($$"""{ "name": "{{new string('n', 213)}}", {{Tasks}} }""").Should().Equal(
            "recipes/x.json: $.name: 213 bytes is too long for a run folder name <name>-<time>; the limit is 212 bytes");
        RecipeLoader.Parse($$"""{ "name": "{{new string('n', 212)}}", {{Tasks}} }""", "x.json").Recipe.Name.Should().HaveLength(212);
    }

    [Fact]
    public void A_whole_number_beyond_32_bits_is_out_of_range_with_the_range()
    {
        ProblemsOf($$"""{ "name": "r", "seed": 99999999999, {{Tasks}}, "training": { "maxSteps": -3000000000, "batchSize": 1.5 } }""").Should().BeEquivalentTo(
            "recipes/x.json: $.seed: 99999999999 is out of range; expected a whole number from -2147483648 to 2147483647",
            "recipes/x.json: $.training.maxSteps: -3000000000 is out of range; expected a whole number from -2147483648 to 2147483647",
            "recipes/x.json: $.training.batchSize: expected an integer, got the number 1.5");
    }

    [Fact]
    public void A_number_beyond_a_double_is_out_of_range_not_a_stack_trace()
    {
        ProblemsOf($$"""{ "name": "r", {{Tasks}}, "training": { "learningRate": 1e400 } }""").Should().Equal(
            "recipes/x.json: $.training.learningRate: 1e400 is out of range; expected a number from -1.7E+308 to 1.7E+308");
    }

    [Fact]
    public void Invalid_utf8_in_a_recipe_is_refused_naming_the_line_and_byte()
    {
        using var folder = new TemporaryFolder();
        var path = folder.Combine("bad.json");
        var text = "{ \"name\": \"r\",\n  \"tasks\": [{ \"name\": \"caf\u00e9 X\", \"train\": \"a.json\", \"eval\": \"b.json\" }] }";
        var bytes = Encoding.UTF8.GetBytes(text);
        int offset = Array.IndexOf(bytes, (byte)'X');
        bytes[offset] = 0xFF;
        File.WriteAllBytes(path, bytes);

        var act = () => RecipeLoader.Load(path);

        act.Should().Throw<BadInputException>().Which.Problems.Should().Equal($"{path}: line 2, byte {offset} (0xFF): not valid UTF-8; save the file as UTF-8");
    }

    [Fact]
    public void A_recipe_may_start_with_a_utf8_byte_order_mark_but_utf16_is_named_and_refused()
    {
        using var folder = new TemporaryFolder();
        var json = $$"""{ "name": "r", {{Tasks}} }""";
        var bom = folder.Combine("bom.json");
        File.WriteAllBytes(bom, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(json)]);
        var wide = folder.Combine("wide.json");
        File.WriteAllBytes(wide, [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(json)]);

        RecipeLoader.Load(bom).Recipe.Name.Should().Be("r");
        var act = () => RecipeLoader.Load(wide);
        act.Should().Throw<BadInputException>().Which.Problems.Should().Equal(
            $"{wide}: the file is UTF-16 (little-endian) text; peftqa reads UTF-8: save it as UTF-8 (in most editors: Save with Encoding, UTF-8)");
    }
}
