namespace PeftQa.Host.Training;

/// <summary>The training loss became NaN or infinite; the last good checkpoint is kept.</summary>
public sealed class TrainingDivergedException(string message) : Foundation.WorkFailedException(message);
