namespace PeftQa.Abstractions;

/// <summary>
/// What an adapter strategy declares about itself (<see cref="IAdapterStrategy.Traits"/>), so continual strategies can
/// refuse pairings that make no sense before any work starts. Declared, never guessed: the host does not attach a
/// strategy to find these out.
/// </summary>
public sealed record AdapterTraits
{
    /// <summary>The adapter strategy's name; the host fills it in for messages.</summary>
    public string Strategy { get; init; } = "";

    /// <summary>It trains weights of the base encoder itself (full fine-tuning, BitFit), not only its own parameters and the QA head.</summary>
    public required bool TrainsBaseWeights { get; init; }

    /// <summary>A second adapter of this strategy can be attached beside a first one (disabled or frozen), each with parameters of its own.</summary>
    public required bool CanAttachSeveral { get; init; }

    /// <summary>Why a second adapter cannot be attached, when <see cref="CanAttachSeveral"/> is false; shown in messages.</summary>
    public string? SecondAttachRefusal { get; init; }

    /// <summary>
    /// Its trainable parameters include LoRA factor pairs named <c>*.lora_A.weight</c> and <c>*.lora_B.weight</c> (O-LoRA
    /// constrains them).
    /// </summary>
    public bool HasLoraFactors { get; init; }

    /// <summary>
    /// What it computes depends on state besides its trainable parameters (a buffer it updates while training, such as running
    /// statistics), so earlier values of those parameters do not recreate an earlier model; LwF refuses it.
    /// </summary>
    public bool KeepsStateOutsideParameters { get; init; }

    /// <summary>The extension points of <see cref="IAdaptableModel"/> it uses.</summary>
    public required ModelNeeds Needs { get; init; }

    /// <summary>" (reason)" when the strategy gave one for refusing a second adapter, else "".</summary>
    public string SecondAttachReason => SecondAttachRefusal is { } reason ? $" (it said: {reason})" : "";
}
