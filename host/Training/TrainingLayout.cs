namespace PeftQa.Host.Training;

/// <summary>How a training setup is laid out for a speed comparison: batch order, attention dropout and the dtype products run in.</summary>
public sealed record TrainingLayout(
    bool GroupByLength,
    double AttentionDropout,
    TorchSharp.torch.ScalarType ComputeDType = TorchSharp.torch.ScalarType.Float32);
