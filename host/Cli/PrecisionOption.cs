using System.CommandLine;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Cli;

/// <summary>--precision, for the verbs that compute with a model (run, eval, predict): added and read by each verb itself.</summary>
public sealed class PrecisionOption
{
    /// <param name="overrides">What the option replaces, for its description ("training.precision in the recipe").</param>
    public PrecisionOption(string overrides)
    {
        Option = new Option<string?>("--precision")
        {
            Description = "auto (bf16 mixed precision where the device computes bf16 natively, else fp32), fp32 or bf16 " +
                          $"(Hugging Face's --bf16); overrides {overrides}.",
        };
        Option.AcceptOnlyFromAmong("auto", "fp32", "bf16");
    }

    public Option<string?> Option { get; }

    /// <summary>The precision given; null when the option was left out.</summary>
    public Precision? Read(ParseResult parse) =>
        parse.GetValue(Option) is { } precision ? Enum.Parse<Precision>(precision, ignoreCase: true) : null;
}
