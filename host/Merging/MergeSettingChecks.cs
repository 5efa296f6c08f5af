using PeftQa.Abstractions;

namespace PeftQa.Host.Merging;

/// <summary>The checks of <see cref="MergeSettings"/> that several methods share, each message naming the setting.</summary>
public static class MergeSettingChecks
{
    public static IReadOnlyList<string> Density(MergeSettings settings) =>
        settings.Density is > 0 and <= 1 && double.IsFinite(settings.Density)
            ? []
            : [$"density: expected a fraction in (0, 1] of each delta's entries to keep, got {settings.Density}"];

    public static IReadOnlyList<string> MajoritySign(MergeSettings settings) =>
        MergeSettings.MajoritySigns.Contains(settings.MajoritySign)
            ? []
            : [$"majoritySign: expected one of {string.Join(", ", MergeSettings.MajoritySigns)}, got '{settings.MajoritySign}'"];
}
