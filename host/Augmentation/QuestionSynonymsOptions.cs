using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Augmentation;

public sealed class QuestionSynonymsOptions
{
    [Description("The WordNet 3.0 dict folder (index.noun, data.noun, ...; Debian's wordnet-base installs it in /usr/share/wordnet); " +
                 "a relative path is under the data root.")]
    public string WordNet { get; set; } = "/usr/share/wordnet";

    [Description("EDA's alpha: each copy replaces max(1, round(rate * words in the question)) distinct words with a synonym.")]
    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double Rate { get; set; } = 0.1;

    [Description("Paraphrased copies tried per question (EDA's n_aug; ids <id>#syn1, <id>#syn2, ...); a copy equal to the question " +
                 "or to an earlier copy is dropped.")]
    [Range(1, int.MaxValue)]
    public int Copies { get; set; } = 4;
}
