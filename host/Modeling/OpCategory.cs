namespace PeftQa.Host.Modeling;

/// <summary>What a stretch of a forward or backward pass computes, as <c>peftqa bench --profile</c> splits it.</summary>
public enum OpCategory
{
    /// <summary>Linear layers' matrix products, adapters' products included.</summary>
    Products,

    /// <summary>Scaled dot-product attention: scores, mask, softmax, attention dropout and mixing.</summary>
    Attention,

    /// <summary>Precision casts: inputs, weights and biases to the compute dtype, outputs back to fp32.</summary>
    Casts,

    /// <summary>LayerNorm.</summary>
    Norms,

    /// <summary>Hidden dropout (embeddings and two per layer).</summary>
    Dropout,

    /// <summary>Everything else: embeddings, activations, residual adds, reshapes, the QA head's loss.</summary>
    Rest,
}
