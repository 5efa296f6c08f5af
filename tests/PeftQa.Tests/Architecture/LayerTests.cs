using System.Text.RegularExpressions;
using FluentAssertions;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Architecture;

/// <summary>
/// The host's layers depend one way (docs/architecture.md): a namespace may use its own and lower layers only. Read
/// from the sources: a type of another layer can only be named through a <c>using</c> or a qualified name.
/// </summary>
public sealed partial class LayerTests
{
    /// <summary>Lowest first.</summary>
    public static readonly string[] Layers =
    [
        "Foundation", "Recipes", "Merging", "Augmentation", "Plugins", "Data", "Modeling", "Evaluation", "Training", "Studies",
        "Planning", "Reporting", "Runs", "Cli",
    ];

    [Fact]
    public void No_layer_of_the_host_references_a_higher_one()
    {
        var host = Path.Combine(TestEnvironment.RepositoryRoot, "host");
        var violations = new List<string>();
        var layerFolders = Directory.GetDirectories(host).Select(Path.GetFileName).Where(d => d is not ("bin" or "obj")).ToList();

        layerFolders.Should().BeEquivalentTo(Layers, "every folder of the host is a layer with a place in the order");
        foreach (var file in Directory.GetFiles(host, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")))
        {
            var relative = Path.GetRelativePath(host, file);
            if (!relative.Contains('/')) continue;
            int own = Array.IndexOf(Layers, relative.Split('/')[0]);
            foreach (Match reference in HostNamespace().Matches(File.ReadAllText(file)))
            {
                int used = Array.IndexOf(Layers, reference.Groups[1].Value);
                if (used > own) violations.Add($"{relative} uses PeftQa.Host.{reference.Groups[1].Value}, a higher layer than {Layers[own]}");
            }
        }

        violations.Distinct().Should().BeEmpty();
    }

    /// <summary>The layers the command line reaches only through the entry points of Runs and Planning.</summary>
    public static readonly string[] BehindEntryPoints = ["Studies", "Training", "Modeling"];

    [Fact]
    public void The_command_line_reaches_studies_training_and_models_only_through_runs_and_planning()
    {
        var cli = Path.Combine(TestEnvironment.RepositoryRoot, "host", "Cli");
        var violations = new List<string>();
        foreach (var file in Directory.GetFiles(cli, "*.cs", SearchOption.AllDirectories))
            foreach (Match reference in HostNamespace().Matches(File.ReadAllText(file)))
                if (BehindEntryPoints.Contains(reference.Groups[1].Value))
                    violations.Add($"Cli/{Path.GetFileName(file)} uses PeftQa.Host.{reference.Groups[1].Value}; go through a Runs or Planning entry point");

        violations.Distinct().Should().BeEmpty();
    }

    [GeneratedRegex(@"PeftQa\.Host\.([A-Z][A-Za-z]+)\b")]
    private static partial Regex HostNamespace();
}
