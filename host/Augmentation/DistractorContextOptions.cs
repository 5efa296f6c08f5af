using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Augmentation;

public sealed class DistractorContextOptions
{
    [Description("Distractor paragraphs placed around the gold paragraph in each copy (fewer when fewer are available).")]
    [Range(1, int.MaxValue)]
    public int Paragraphs { get; set; } = 1;

    [Description("Where the distractors go: \"before\" the gold paragraph, \"after\" it, \"both\" (the first half of them before, " +
                 "the rest after; needs paragraphs >= 2) or \"random\" (each distractor before or after at random).")]
    public string Position { get; set; } = "random";

    [Description("Where distractors come from: \"same-article\" (other paragraphs with the question's title; a question whose " +
                 "article has no other paragraph gets no copy) or \"any-article\" (any other paragraph of the task's training data).")]
    public string From { get; set; } = "same-article";

    [Description("Copies made per question (ids <id>#ctx1, <id>#ctx2, ...), each with its own draw of distractors.")]
    [Range(1, int.MaxValue)]
    public int Copies { get; set; } = 1;

    [Description("Text put between paragraphs (BERT's tokenizer reads a line break as a space).")]
    public string Separator { get; set; } = "\n\n";
}
