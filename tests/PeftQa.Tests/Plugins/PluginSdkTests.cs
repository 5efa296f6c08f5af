using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using FluentAssertions;
using PeftQa.Host.Plugins;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Plugins;

/// <summary>
/// A third-party author's path without a checkout of this repository: pack PeftQa.Abstractions and PeftQa.Templates
/// into a folder feed, <c>dotnet new peftqa-plugin</c>, build against the packed Abstractions only, drop the build into a
/// plugins folder and run a recipe with it; a build against Abstractions of another major version is refused.
/// </summary>
[Collection(SerialCollection.Name)]
public sealed class PluginSdkTests
{
    private static string Repository => TestEnvironment.RepositoryRoot;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_plugin_made_from_the_template_against_the_packed_abstractions_runs_a_recipe_in_the_host()
    {
        using var folder = new TemporaryFolder();
        var feed = folder.Combine("feed");
        var sources = CopyPackableSources(folder.Combine("sources"));
        Succeeds(DotnetCli.Run(sources, "pack", "abstractions", "-c", "Release", "-o", feed));
        Succeeds(DotnetCli.Run(sources, "pack", Path.Combine("tools", "PluginTemplate"), "-c", "Release", "-o", feed));
        var abstractionsPackage = Path.Combine(feed, $"PeftQa.Abstractions.{ContractsVersion.Format(ContractsVersion.Host)}.nupkg");
        PackageFiles(abstractionsPackage).Should().Contain(["lib/net10.0/PeftQa.Abstractions.dll", "lib/net10.0/PeftQa.Abstractions.xml"]);
        var dependencies = Nuspec(abstractionsPackage).Descendants().Where(e => e.Name.LocalName == "dependency").ToList();
        dependencies.Select(d => (string?)d.Attribute("id")).Should().Equal(["TorchSharp"], "the contracts need TorchSharp's API and no libtorch");
        ((string?)dependencies[0].Attribute("exclude")).Should().Contain("Runtime").And.Contain("Native");

        var hive = folder.Combine("template-hive");
        Succeeds(DotnetCli.Run(folder.Path, "new", "install", Path.Combine(feed, $"PeftQa.Templates.{ContractsVersion.Format(ContractsVersion.Host)}.nupkg"), "--debug:custom-hive", hive));
        var plugin = folder.Combine("Acme.BiasTuning");
        Succeeds(DotnetCli.Run(folder.Path, "new", "peftqa-plugin", "-n", "Acme.BiasTuning", "--strategyName", "acme-bias", "-o", plugin, "--debug:custom-hive", hive));
        WriteNuGetConfig(plugin, feed, folder.Combine("packages"));
        Succeeds(DotnetCli.Run(plugin, "test", "Acme.BiasTuning.Tests"));
        var pluginBuild = folder.Combine("plugins", "Acme.BiasTuning");
        Succeeds(DotnetCli.Run(plugin, "build", "Acme.BiasTuning", "-c", "Release", "-o", pluginBuild));
        Directory.GetFiles(pluginBuild).Select(Path.GetFileName).Should().Contain("Acme.BiasTuning.dll")
            .And.NotContain(["PeftQa.Abstractions.dll", "TorchSharp.dll"], "the host's copies are used");

        var model = TinyCheckpoint.Create(folder.Combine("tiny-model"), TinyRuns.Vocabulary);
        var data = folder.WriteFile("capitals.json", TinyRuns.Squad);
        var recipe = JsonNode.Parse(TinyRuns.SquadRecipe(model, data, """[{ "strategy": "acme-bias", "options": { "learningRateScale": 10 } }]"""))!;
        recipe["plugins"] = new JsonArray("plugins");
        var run = await PeftqaCli.Run("run", folder.WriteFile("recipe.json", recipe.ToJsonString()), "--device", "cpu", "--out", folder.Combine("run"));

        run.ExitCode.Should().Be(0, run.Error);
        var study = JsonNode.Parse(File.ReadAllText(folder.Combine("run", "results.json")))!["studies"]![0]!;
        study["strategy"]!.GetValue<string>().Should().Be("acme-bias");
        study["afterTask"]!.AsArray().Should().HaveCount(1);
        var adapterFolder = study["adapterFolder"]!.GetValue<string>();
        File.Exists(Path.Combine(adapterFolder, "bias_tuning.safetensors")).Should().BeTrue();
        var predict = await PeftqaCli.Run("predict", "--model", model, "--adapter", adapterFolder, "--plugins", folder.Combine("plugins"),
            "--question", "What is the capital of France?", "--context", "Paris is the capital of France.", "--device", "cpu");
        predict.ExitCode.Should().Be(0, predict.Error + " (the adapter loads back through the plugin)");

        Succeeds(DotnetCli.Run(sources, "pack", "abstractions", "-c", "Release", "-o", feed, "-p:Version=2.0.0"));
        var incompatibleBuild = folder.Combine("plugins-2", "Acme.BiasTuning");
        Succeeds(DotnetCli.Run(plugin, "build", "Acme.BiasTuning", "-c", "Release", "-o", incompatibleBuild, "-p:PeftQaAbstractionsVersion=2.0.0"));
        recipe["plugins"] = new JsonArray("plugins-2");
        var refused = await PeftqaCli.Run("run", folder.WriteFile("recipe-2.json", recipe.ToJsonString()), "--device", "cpu", "--out", folder.Combine("run-2"));

        refused.ExitCode.Should().Be(2);
        refused.Error.Should().Contain("built against PeftQa.Abstractions 2.0.0").And.Contain($"this host has PeftQa.Abstractions {ContractsVersion.Format(ContractsVersion.Host)}");
        Directory.Exists(folder.Combine("run-2")).Should().BeFalse("refused before any work");
    }

    [Fact]
    public void The_template_and_its_pack_carry_the_contracts_version()
    {
        var contracts = ContractsVersion.Format(ContractsVersion.Host);
        VersionIn(Path.Combine(Repository, "abstractions", "PeftQa.Abstractions.csproj")).Should().Be(contracts);
        VersionIn(Path.Combine(Repository, "tools", "PluginTemplate", "PeftQa.Templates.csproj")).Should().Be(contracts);
        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository, "tools", "PluginTemplate", "content", "peftqa-plugin", ".template.config", "template.json")))!;
        template["symbols"]!["abstractionsVersion"]!["defaultValue"]!.GetValue<string>().Should().Be(contracts);
    }

    /// <summary>What packing needs, copied out of the repository so packing never touches its build output.</summary>
    private static string CopyPackableSources(string target)
    {
        foreach (var file in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json" })
            if (File.Exists(Path.Combine(Repository, file))) Copy(Path.Combine(Repository, file), Path.Combine(target, file));
        foreach (var project in new[] { "abstractions", Path.Combine("tools", "PluginTemplate") })
        {
            var root = Path.Combine(Repository, project);
            foreach (var file in Directory.GetFiles(root, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file);
                var parts = relative.Split(Path.DirectorySeparatorChar);
                if (parts.Contains("bin") || parts.Contains("obj")) continue;
                Copy(file, Path.Combine(target, project, relative));
            }
        }
        return target;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }

    /// <summary>The folder feed for PeftQa packages; everything else from the machine's package cache, as a restore here found it.</summary>
    private static void WriteNuGetConfig(string folder, string feed, string packages) => File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <config><add key="globalPackagesFolder" value="{packages}" /></config>
          <packageSources><clear /><add key="local" value="{feed}" /><add key="nuget.org" value="https://api.nuget.org/v3/index.json" /></packageSources>
          <packageSourceMapping>
            <packageSource key="local"><package pattern="PeftQa.*" /></packageSource>
            <packageSource key="nuget.org"><package pattern="*" /></packageSource>
          </packageSourceMapping>
          <fallbackPackageFolders><add key="machine" value="{TestEnvironment.NuGetPackageRoot}" /></fallbackPackageFolders>
        </configuration>
        """);

    private static IReadOnlyList<string> PackageFiles(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    private static XDocument Nuspec(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        using var stream = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream);
    }

    private static string? VersionIn(string project) =>
        XDocument.Load(project).Descendants("Version").Select(e => e.Value).SingleOrDefault();

    private static void Succeeds(CliResult result) => result.ExitCode.Should().Be(0, result.Out + result.Error);
}
