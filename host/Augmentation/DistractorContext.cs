using PeftQa.Abstractions;

namespace PeftQa.Host.Augmentation;

/// <summary>
/// Providing additional context: for each question, copies whose context is the gold paragraph with other paragraphs of
/// the task's training data before and/or after it, the answers shifted by what was put before. A distractor is never a
/// paragraph with the gold paragraph's text. With <c>same-article</c>, a question whose article has no other paragraph
/// gets no copy.
/// </summary>
public sealed class DistractorContext : IDataAugmentation
{
    public static readonly string[] Positions = ["before", "after", "both", "random"];

    public static readonly string[] Sources = ["same-article", "any-article"];

    public string Name => "distractor-context";

    public string Description => "Copies of each question with other paragraphs placed before and/or after its gold paragraph.";

    public Type OptionsType => typeof(DistractorContextOptions);

    public IReadOnlyList<string> Validate(object options, AugmentationSetup setup)
    {
        if (options is not DistractorContextOptions o) return [$"options: expected {nameof(DistractorContextOptions)}"];
        var problems = new List<string>();
        if (o.Paragraphs < 1) problems.Add($"paragraphs: must be at least 1, not {o.Paragraphs}");
        if (o.Copies < 1) problems.Add($"copies: must be at least 1, not {o.Copies}");
        if (!Positions.Contains(o.Position)) problems.Add($"position: \"{o.Position}\" is not one of {Quoted(Positions)}");
        else if (o.Position == "both" && o.Paragraphs < 2) problems.Add("position: \"both\" needs paragraphs of at least 2");
        if (!Sources.Contains(o.From)) problems.Add($"from: \"{o.From}\" is not one of {Quoted(Sources)}");
        if (string.IsNullOrEmpty(o.Separator)) problems.Add("separator: must not be empty (the paragraphs' words would run together)");
        return problems;
    }

    public IReadOnlyList<TrainingQuestion> Augment(IReadOnlyList<TrainingQuestion> questions, object options, AugmentationContext context)
    {
        var o = (DistractorContextOptions)options;
        var problems = Validate(o, context.Setup);
        if (problems.Count > 0) throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(options));

        var all = context.Paragraphs.DistinctBy(p => p.Context).ToList();
        var byTitle = all.GroupBy(p => p.Title).ToDictionary(g => g.Key, g => g.ToList());
        var added = new List<TrainingQuestion>();
        foreach (var question in questions)
        {
            var pool = o.From == "any-article" ? all : byTitle.GetValueOrDefault(question.Title) ?? [];
            for (int k = 1; k <= o.Copies; k++)
            {
                var distractors = Draw(pool, question.Context, o.Paragraphs, context.Random);
                if (distractors.Count == 0) break;
                added.Add(Copy(question, distractors, o, context.Random, k));
            }
        }

        return added;
    }

    private static TrainingQuestion Copy(TrainingQuestion question, List<string> distractors, DistractorContextOptions o, Random random, int k)
    {
        var before = new List<string>();
        var after = new List<string>();
        for (int i = 0; i < distractors.Count; i++)
        {
            bool first = o.Position switch
            {
                "before" => true,
                "after" => false,
                "both" => i < (distractors.Count + 1) / 2,
                _ => random.Next(2) == 0,
            };
            (first ? before : after).Add(distractors[i]);
        }

        int shift = before.Sum(p => p.Length + o.Separator.Length);
        string text = string.Join(o.Separator, [.. before, question.Context, .. after]);
        var answers = question.Answers.Select(a => new AnswerSpan(a.Text, a.Start + shift)).ToArray();
        return question with { Id = $"{question.Id}#ctx{k}", Context = text, Answers = answers, DerivedFrom = question.Id };
    }

    /// <summary>Up to <paramref name="count"/> distinct paragraphs of <paramref name="pool"/> (distinct texts), never the gold text.</summary>
    private static List<string> Draw(List<ContextParagraph> pool, string gold, int count, Random random)
    {
        int goldIndex = pool.FindIndex(p => p.Context == gold);
        int available = pool.Count - (goldIndex >= 0 ? 1 : 0);
        if (available <= 0) return [];
        if (count * 2 >= available)
        {
            var rest = pool.Where(p => p.Context != gold).Select(p => p.Context).ToArray();
            random.Shuffle(rest);
            return [.. rest.Take(count)];
        }

        var chosen = new List<int>(count);
        while (chosen.Count < count)
        {
            int i = random.Next(pool.Count);
            if (i != goldIndex && !chosen.Contains(i)) chosen.Add(i);
        }

        return [.. chosen.Select(i => pool[i].Context)];
    }

    private static string Quoted(IEnumerable<string> values) => string.Join(", ", values.Select(v => $"\"{v}\""));
}
