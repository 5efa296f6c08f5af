using System.Reflection;

namespace PeftQa.Tests.Support;

public static class TestEnvironment
{
    /// <summary>The NuGet package cache the build restored from (holds the pristine TorchSharp native library).</summary>
    public static string NuGetPackageRoot => typeof(TestEnvironment).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NuGetPackageRoot").Value!;

    public static string OutputFolder => AppContext.BaseDirectory;

    /// <summary>The repository root (the folder holding PeftQa.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "PeftQa.sln"))) folder = folder.Parent;
            return folder?.FullName ?? throw new InvalidOperationException("PeftQa.sln not found above the test output");
        }
    }

    /// <summary>The smallest valid SQuAD v1.1 file: one question, answered in its context.</summary>
    public const string TinySquad = """
        {"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": "Paris is the capital of France.",
          "qas": [{"id": "a", "question": "What is the capital of France?", "answers": [{"text": "Paris", "answer_start": 0}]}]}]}]}
        """;

    /// <summary>../shared/data beside the repository, where the real QA data sets live.</summary>
    public static string SharedData => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));
}

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "peftqa-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public string WriteFile(string relativePath, string contents)
    {
        var full = Combine(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, contents);
        return full;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static void CopyFolder(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(destination, System.IO.Path.GetRelativePath(source, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }
}
