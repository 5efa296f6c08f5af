using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace PeftQa.Host.Recipes;

public sealed class HoldOutSplit
{
    [Description("Share of the paragraphs (or articles) that go to evaluation.")]
    [Range(0.01, 0.99)]
    public double EvalFraction { get; init; } = 0.2;

    [Description("The unit kept whole on one side: paragraph or article, so no context is both trained and evaluated on.")]
    public string By { get; init; } = "paragraph";

    public static readonly IReadOnlyList<string> Units = ["paragraph", "article"];
}
