using PeftQa.Host.Data.Tokenization;

namespace PeftQa.Host.Data;

/// <summary>
/// Turns examples into model windows as Hugging Face's run_qa.py does: the question is kept whole (questions longer
/// than half the sequence are cut to that), only the context is split, into windows of the remaining length that
/// overlap by <c>stride</c> tokens; every window remembers its example. Training labels are the answer's first and last
/// token when the whole answer lies inside the window, else [CLS]. Contexts shared by several questions are tokenized
/// once, and paragraphs are processed in parallel with results in input order.
/// </summary>
public sealed class FeatureBuilder(BertTokenizer tokenizer, int maxSequenceLength, int stride)
{
    public IReadOnlyList<QaFeature> Build(IReadOnlyList<QaExample> examples, CancellationToken cancellation = default)
    {
        if (maxSequenceLength < 16) throw new ArgumentOutOfRangeException(nameof(maxSequenceLength));
        // Group by context so each context is tokenized once; keep groups in order of first appearance.
        var groups = new List<(string Context, List<int> Examples)>();
        var groupOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < examples.Count; i++)
        {
            if (!groupOf.TryGetValue(examples[i].Context, out int g))
            {
                g = groups.Count;
                groupOf[examples[i].Context] = g;
                groups.Add((examples[i].Context, []));
            }
            groups[g].Examples.Add(i);
        }

        var perGroup = new List<QaFeature>[groups.Count];
        Parallel.For(0, groups.Count, new ParallelOptions { CancellationToken = cancellation }, g =>
        {
            var contextTokens = tokenizer.Tokenize(groups[g].Context);
            var features = new List<QaFeature>();
            foreach (int index in groups[g].Examples) AddWindows(index, examples[index], contextTokens, features);
            perGroup[g] = features;
        });

        var byExample = new List<QaFeature>[examples.Count];
        foreach (var features in perGroup)
            foreach (var feature in features) (byExample[feature.ExampleIndex] ??= []).Add(feature);
        return byExample.Where(f => f is not null).SelectMany(f => f).ToList();
    }

    private void AddWindows(int exampleIndex, QaExample example, List<SpanToken> context, List<QaFeature> features)
    {
        var question = tokenizer.Encode(example.Question);
        if (question.Length > maxSequenceLength / 2) question = question[..(maxSequenceLength / 2)];
        int room = maxSequenceLength - question.Length - 3;
        int step = Math.Max(1, room - stride);

        var answer = example.Answers.Count > 0 ? example.Answers[0] : null;
        for (int windowStart = 0; ; windowStart += step)
        {
            int windowEnd = Math.Min(context.Count, windowStart + room);
            var ids = new int[question.Length + (windowEnd - windowStart) + 3];
            ids[0] = tokenizer.ClsId;
            question.CopyTo(ids, 1);
            ids[question.Length + 1] = tokenizer.SepId;
            int contextTokenStart = question.Length + 2;
            var offsets = new (int, int)[windowEnd - windowStart];
            for (int t = windowStart; t < windowEnd; t++)
            {
                ids[contextTokenStart + t - windowStart] = context[t].Id;
                offsets[t - windowStart] = (context[t].Start, context[t].End);
            }
            ids[^1] = tokenizer.SepId;

            var (startPosition, endPosition) = Label(answer, offsets, contextTokenStart);
            features.Add(new QaFeature(exampleIndex, ids, contextTokenStart, offsets, startPosition, endPosition));
            if (windowEnd >= context.Count) break;
        }
    }

    /// <summary>run_qa.py's labelling: the tokens that cover the answer's first and last characters, or [CLS].</summary>
    private static (int Start, int End) Label(QaAnswer? answer, (int Start, int End)[] offsets, int contextTokenStart)
    {
        if (answer is null || offsets.Length == 0) return (0, 0);
        int startChar = answer.Start, endChar = answer.End;
        if (!(offsets[0].Start <= startChar && offsets[^1].End >= endChar)) return (0, 0);
        int start = 0;
        while (start < offsets.Length && offsets[start].Start <= startChar) start++;
        int end = offsets.Length - 1;
        while (end >= 0 && offsets[end].End >= endChar) end--;
        return (contextTokenStart + start - 1, contextTokenStart + end + 1);
    }
}
