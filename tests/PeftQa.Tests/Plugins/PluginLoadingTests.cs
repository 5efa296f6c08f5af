using System.Text.Json;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Abstractions;
using PeftQa.Host.Plugins;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Plugins;

/// <summary>
/// Third-party plugins the host has never seen: built by their own projects (tests/ThirdParty), copied into a
/// temporary plugins folder, discovered by contract and run.
/// </summary>
public sealed class PluginLoadingTests
{
    private static string ThirdParty(string name) => Path.Combine(TestEnvironment.OutputFolder, "third-party", name);

    private static PluginLoader NewLoader() =>
        new(new ServiceCollection().AddLogging().BuildServiceProvider(), NullLogger<PluginLoader>.Instance);

    [Fact]
    public async Task A_third_party_plugin_dropped_into_a_folder_is_listed()
    {
        using var plugins = new TemporaryFolder();
        TemporaryFolder.CopyFolder(ThirdParty("SamplePlugin"), plugins.Combine("SamplePlugin"));

        var result = await PeftqaCli.Run("plugins", "list", "--json", "--plugins", plugins.Path);

        result.ExitCode.Should().Be(0, result.Error);
        var names = JsonDocument.Parse(result.Out).RootElement.EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        names.Should().Contain(["sample-bitfit", "sample_same_length", "lora", "f1"]);
    }

    [Fact]
    public void A_third_party_strategy_and_metric_run_through_the_contracts()
    {
        using var plugins = new TemporaryFolder();
        TemporaryFolder.CopyFolder(ThirdParty("SamplePlugin"), plugins.Combine("SamplePlugin"));

        var catalog = NewLoader().Load([plugins.Path]);

        var metric = catalog.Require<IMetric>("sample_same_length", "test");
        metric.Compute([new AnswerPair("q1", "in Paris", ["in Paris", "Paris"]), new AnswerPair("q2", "1990", ["in 1990"])])
            .Should().Be(50);

        var strategy = catalog.Require<IAdapterStrategy>("sample-bitfit", "test");
        strategy.GetType().Assembly.Location.Should().StartWith(plugins.Path, "the plugin comes from the dropped folder");
        var model = new TinyAdaptableModel();
        var options = PluginOptionsSchema.Bind(strategy, JsonDocument.Parse("""{ "trainHead": false }""").RootElement, "$.options");
        using var adapter = strategy.Attach(model, options);

        adapter.TrainableParameters.Select(p => p.Name).Should().OnlyContain(name => name.EndsWith(".bias"));
        adapter.TrainableParameters.Should().Contain(p => p.Name == "qa_outputs.bias");
        model.NamedParameters.Single(p => p.Name == "qa_outputs.weight").Parameter.requires_grad.Should().BeFalse();
        // The plugin's Tensor type is the host's: the same Parameter objects flow both ways.
        adapter.TrainableParameters[0].Parameter.GetType().Should().BeSameAs(typeof(TorchSharp.Modules.Parameter));
    }

    [Fact]
    public void A_broken_folder_is_reported_in_one_line_and_the_others_load()
    {
        using var plugins = new TemporaryFolder();
        TemporaryFolder.CopyFolder(ThirdParty("SamplePlugin"), plugins.Combine("SamplePlugin"));
        plugins.WriteFile("Garbage/Garbage.dll", "this is not an assembly");
        TemporaryFolder.CopyFolder(ThirdParty("ThrowingPlugin"), plugins.Combine("ThrowingPlugin"));
        TemporaryFolder.CopyFolder(ThirdParty("SamplePlugin"), plugins.Combine("MissingDependency"));
        File.Move(plugins.Combine("MissingDependency", "SamplePlugin.dll"), plugins.Combine("MissingDependency", "MissingDependency.dll"));
        File.Delete(plugins.Combine("MissingDependency", "SamplePluginHelper.dll"));
        Directory.CreateDirectory(plugins.Combine("Empty"));

        var catalog = NewLoader().Load([plugins.Path]);

        catalog.Find<IMetric>("sample_same_length").Should().NotBeNull("the good folder still loads");
        catalog.Failures.Select(f => Path.GetFileName(f.Folder)).Should().BeEquivalentTo("Garbage", "ThrowingPlugin", "MissingDependency", "Empty");
        catalog.Failures.Single(f => f.Folder.EndsWith("Garbage")).Reason.Should().Contain("not a .NET assembly");
        catalog.Failures.Single(f => f.Folder.EndsWith("ThrowingPlugin")).Reason.Should().Contain("licence key missing");
        catalog.Failures.Single(f => f.Folder.EndsWith("MissingDependency")).Reason.Should().Contain("SamplePluginHelper");
        catalog.Failures.Single(f => f.Folder.EndsWith("Empty")).Reason.Should().Contain("no plugin assembly");
        catalog.Failures.Should().OnlyContain(f => !f.ToString().Contains('\n'));
    }

    [Fact]
    public async Task A_broken_folder_gives_one_warning_line_on_the_command_line()
    {
        using var plugins = new TemporaryFolder();
        plugins.WriteFile("Garbage/Garbage.dll", "this is not an assembly");

        var result = await PeftqaCli.Run("plugins", "list", "--plugins", plugins.Path);

        result.ExitCode.Should().Be(0);
        result.Error.Split('\n').Where(l => l.Contains("Garbage")).Should().ContainSingle()
            .Which.Should().Contain($"plugin folder {plugins.Combine("Garbage")} skipped: not a .NET assembly");
        result.Out.Should().Contain("lora");
    }

    [Fact]
    public async Task Two_plugins_with_the_same_name_are_an_error()
    {
        using var plugins = new TemporaryFolder();
        TemporaryFolder.CopyFolder(ThirdParty("SamplePlugin"), plugins.Combine("SamplePlugin"));
        TemporaryFolder.CopyFolder(ThirdParty("SamplePlugin"), plugins.Combine("Copy"));
        File.Move(plugins.Combine("Copy", "SamplePlugin.dll"), plugins.Combine("Copy", "Copy.dll"));

        var result = await PeftqaCli.Run("plugins", "list", "--plugins", plugins.Path);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("two adapter-strategy plugins are named 'sample-bitfit'")
            .And.Contain(plugins.Combine("SamplePlugin", "SamplePlugin.dll")).And.Contain(plugins.Combine("Copy", "Copy.dll"));
    }

    [Fact]
    public async Task A_plugins_folder_that_does_not_exist_is_bad_usage()
    {
        var result = await PeftqaCli.Run("plugins", "list", "--plugins", "/no/such/folder");

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain("plugin folder not found: /no/such/folder");
    }

    [Fact]
    public async Task A_recipe_can_name_its_own_plugin_folder_and_use_a_third_party_strategy()
    {
        using var folder = new TemporaryFolder();
        TemporaryFolder.CopyFolder(ThirdParty("SamplePlugin"), folder.Combine("my-plugins", "SamplePlugin"));
        folder.WriteFile("train.json", TestEnvironment.TinySquad);
        var recipe = folder.WriteFile("x.json", """
            { "name": "r", "dataRoot": ".", "plugins": ["my-plugins"],
              "tasks": [{ "name": "t", "train": "train.json", "eval": "train.json" }],
              "adapters": [{ "strategy": "sample-bitfit", "options": { "trainHead": false } }],
              "evaluation": { "metrics": ["f1", "sample_same_length"] } }
            """);

        var result = await PeftqaCli.Run("run", recipe, "--dry-run", "--device", "cpu");

        result.ExitCode.Should().Be(0, result.Error);
        result.Out.Should().Contain("sample-bitfit");
    }
}
