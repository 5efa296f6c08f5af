using System.Text.Json.Serialization;

namespace PeftQa.Host.Recipes;

/// <summary>
/// How matrix products are computed, as Hugging Face's <c>--bf16</c> means it. <see cref="Bf16"/> is mixed precision:
/// parameters, gradients and optimizer state stay fp32; the Linear layers' products and attention run in bfloat16;
/// embeddings, LayerNorm, the QA head, softmax-cross-entropy and AdamW stay fp32. <see cref="Auto"/> picks bf16 where the
/// device computes it natively (Modeling/Bf16Support) and fp32 elsewhere.
/// </summary>
public enum Precision
{
    [JsonStringEnumMemberName("auto")] Auto,
    [JsonStringEnumMemberName("fp32")] Fp32,
    [JsonStringEnumMemberName("bf16")] Bf16,
}
