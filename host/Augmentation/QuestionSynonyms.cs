using System.Text;
using System.Text.RegularExpressions;
using PeftQa.Abstractions;

namespace PeftQa.Host.Augmentation;

/// <summary>
/// EDA's synonym replacement (Wei and Zou 2019) in the question only: each copy replaces
/// <c>max(1, round(rate * words))</c> distinct words, chosen at random among those that are not stop words, do not occur
/// in an answer and have a WordNet synonym, with a random synonym (every occurrence of the word; the first letter's case
/// kept). The context and the answers stay as they are.
/// </summary>
public sealed partial class QuestionSynonyms : IDataAugmentation
{
    /// <summary>English stop words never replaced (EDA's list).</summary>
    public static readonly IReadOnlySet<string> StopWords = new HashSet<string>(
    [
        "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours", "yourself", "yourselves", "he", "him",
        "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself", "they", "them", "their", "theirs", "themselves",
        "what", "which", "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be", "been", "being",
        "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an", "the", "and", "but", "if", "or", "because", "as",
        "until", "while", "of", "at", "by", "for", "with", "about", "against", "between", "into", "through", "during", "before",
        "after", "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under", "again", "further",
        "then", "once", "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more", "most",
        "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will",
        "just", "don", "should", "now", "",
    ]);

    public string Name => "question-synonyms";

    public string Description => "EDA synonym replacement in the question (WordNet 3.0), never touching stop words or the answer's words.";

    public Type OptionsType => typeof(QuestionSynonymsOptions);

    public IReadOnlyList<string> Validate(object options, AugmentationSetup setup)
    {
        if (options is not QuestionSynonymsOptions o) return [$"options: expected {nameof(QuestionSynonymsOptions)}"];
        var problems = new List<string>();
        if (!(o.Rate > 0 && o.Rate <= 1)) problems.Add($"rate: must be in (0, 1], not {o.Rate}");
        if (o.Copies < 1) problems.Add($"copies: must be at least 1, not {o.Copies}");
        if (string.IsNullOrWhiteSpace(o.WordNet)) problems.Add($"wordNet: required: {Install}");
        else if (WordNet.Problem(setup.ResolvePath(o.WordNet)) is { } problem) problems.Add($"wordNet: {problem}; {Install}");
        return problems;
    }

    private const string Install =
        "install Debian's wordnet-base (apt-get install wordnet-base) or point options.wordNet at a WordNet 3.0 dict folder";

    public IReadOnlyList<TrainingQuestion> Augment(IReadOnlyList<TrainingQuestion> questions, object options, AugmentationContext context)
    {
        var o = (QuestionSynonymsOptions)options;
        var wordNet = WordNet.Load(context.Setup.ResolvePath(o.WordNet));
        var added = new List<TrainingQuestion>();
        foreach (var question in questions)
        {
            var words = Word().Matches(question.Question).ToList();
            var answerWords = question.Answers.SelectMany(a => Word().Matches(a.Text)).Select(m => m.Value)
                .ToHashSet(StringComparer.OrdinalIgnoreCase);
            var candidates = words.Select(m => m.Value.ToLowerInvariant()).Distinct()
                .Where(w => !StopWords.Contains(w) && !answerWords.Contains(w))
                .Select(w => (Word: w, Synonyms: wordNet.Synonyms(w)))
                .Where(c => c.Synonyms.Count > 0).ToArray();
            if (candidates.Length == 0) continue;

            int replace = Math.Max(1, (int)Math.Round(o.Rate * words.Count, MidpointRounding.AwayFromZero));
            var seen = new HashSet<string>(StringComparer.Ordinal) { question.Question };
            int kept = 0;
            for (int copy = 0; copy < o.Copies; copy++)
            {
                string paraphrase = Paraphrase(question.Question, words, candidates, replace, context.Random);
                if (!seen.Add(paraphrase)) continue;
                kept++;
                added.Add(question with
                {
                    Id = $"{question.Id}#syn{kept}", Question = paraphrase, Answers = [.. question.Answers], DerivedFrom = question.Id,
                });
            }
        }

        return added;
    }

    /// <summary>The question with <paramref name="replace"/> of the candidates (shuffled) replaced by a random synonym each.</summary>
    private static string Paraphrase(string question, List<Match> words, (string Word, IReadOnlyList<string> Synonyms)[] candidates,
        int replace, Random random)
    {
        var order = Enumerable.Range(0, candidates.Length).ToArray();
        random.Shuffle(order);
        var chosen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (int i in order.Take(replace))
            chosen[candidates[i].Word] = candidates[i].Synonyms[random.Next(candidates[i].Synonyms.Count)];

        var text = new StringBuilder(question.Length + 16);
        int at = 0;
        foreach (var word in words)
        {
            if (!chosen.TryGetValue(word.Value.ToLowerInvariant(), out var synonym)) continue;
            text.Append(question, at, word.Index - at).Append(char.IsUpper(word.Value[0]) ? Capitalized(synonym) : synonym);
            at = word.Index + word.Length;
        }

        return text.Append(question, at, question.Length - at).ToString();
    }

    private static string Capitalized(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];

    /// <summary>A word: letters, with apostrophes inside (don't, O'Neill).</summary>
    [GeneratedRegex(@"\p{L}+(?:'\p{L}+)*")]
    private static partial Regex Word();
}
