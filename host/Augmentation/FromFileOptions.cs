using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Augmentation;

public sealed class FromFileOptions
{
    [Description("Required: a SQuAD v1.1-format JSON file of extra training questions; a relative path is under the data root.")]
    public string Path { get; set; } = "";

    [Description("At most this many of the file's questions (a seeded sample, kept in file order); null: all of them.")]
    [Range(1, int.MaxValue)]
    public int? MaxQuestions { get; set; }
}
