using TorchSharp.Modules;

namespace PeftQa.Abstractions;

/// <summary>A parameter with its Hugging Face style dotted name, for example <c>bert.encoder.layer.0.attention.self.query.weight</c>.</summary>
public sealed record NamedParameter(string Name, Parameter Parameter)
{
    /// <summary>
    /// The parameter trains at this multiple of the run's learning rate (1: the run's rate). LoRA+ gives the B
    /// matrices a higher one; the trainer makes one optimizer parameter group per multiple.
    /// </summary>
    public double LearningRateScale { get; init; } = 1;
}
