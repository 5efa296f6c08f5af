namespace PeftQa.Abstractions;

/// <summary>The extension points of <see cref="IAdaptableModel"/> an adapter strategy uses (<see cref="AdapterTraits.Needs"/>).</summary>
[Flags]
public enum ModelNeeds
{
    /// <summary>Only the model's own parameters (full fine-tuning, BitFit).</summary>
    None = 0,

    /// <summary>Extensions on Linear layers (<see cref="IAdaptableModel.Linears"/>): LoRA, DoRA, IA3.</summary>
    LinearExtensions = 1,

    /// <summary>Virtual tokens before the input (<see cref="IAdaptableModel.VirtualTokens"/>): prompt tuning.</summary>
    VirtualTokens = 2,

    /// <summary>Key and value prefixes in self-attention (<see cref="IAdaptableModel.AttentionPrefixes"/>): P-tuning v2.</summary>
    AttentionPrefixes = 4,
}
