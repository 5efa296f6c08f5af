namespace PeftQa.Host.Data;

/// <summary>
/// Which training questions of a task a study trains on: a seeded sample of <see cref="Size"/> questions (null: the task's
/// questions as the recipe limits them), drawn with <see cref="Seed"/>. The samples of one seed are nested: the first
/// questions of one seeded order, so a seed's 16 questions are among its 64.
/// </summary>
/// <param name="Augmentation">Which of the task's augmentation pipelines the study's questions go through (0 without a comparison).</param>
public sealed record TrainingSample(int? Size, int Seed, int Augmentation = 0)
{
    public override string ToString() =>
        (Size is { } size ? $"n={size} seed {Seed}" : $"seed {Seed}") + (Augmentation > 0 ? $" augmentation {Augmentation}" : "");
}
