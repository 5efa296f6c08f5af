using PeftQa.Host.Modeling;

namespace PeftQa.Tests.Support;

/// <summary>A tiny BERT with the real bert-base-uncased vocabulary, saved as a Hugging Face folder: real text, millisecond steps.</summary>
public static class TinyCheckpoint
{
    public static string Create(string folder, string vocabPath, int seed = 5)
    {
        var config = TinyBert.Config() with { VocabSize = 30522, MaxPositionEmbeddings = 128, HiddenDropoutProb = 0.1, AttentionProbsDropoutProb = 0.1 };
        using var generator = new TorchSharp.torch.Generator((ulong)seed);
        using var model = new BertForQuestionAnswering(config, "tiny", generator);
        Checkpoint.Save(model, vocabPath, folder);
        return folder;
    }
}
