using Microsoft.Extensions.Logging.Abstractions;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Modeling;
using Xunit;

namespace PeftQa.Tests.Support;

/// <summary>The built-in MiniLM, converted (once, into the user cache) and loaded once for the tests that need it.</summary>
public sealed class BuiltinModelFixture : IDisposable
{
    public BuiltinModelFixture()
    {
        Folder = BuiltinModels.EnsureCheckpoint(ModelSources.MiniLmL6, NullLogger.Instance);
        Loaded = Checkpoint.Load(Folder, NullLogger.Instance, ModelSources.MiniLmL6);
        Loaded.Model.eval();
        Tokenizer = new BertTokenizer(Loaded.VocabPath);
    }

    public string Folder { get; }

    public Checkpoint.LoadedModel Loaded { get; }

    public BertForQuestionAnswering Model => Loaded.Model;

    public BertTokenizer Tokenizer { get; }

    public void Dispose() => Loaded.Model.Dispose();
}

[CollectionDefinition(Name)]
public sealed class BuiltinModelCollection : ICollectionFixture<BuiltinModelFixture>
{
    public const string Name = "builtin model";
}
