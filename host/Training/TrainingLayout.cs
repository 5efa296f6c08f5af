using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using static TorchSharp.torch;

namespace PeftQa.Host.Training;

/// <summary>
/// How a training setup is laid out for a speed comparison: batch order, attention and hidden dropout (null: the
/// model's config) and the dtype products run in.
/// </summary>
public sealed record TrainingLayout(
    bool GroupByLength,
    double AttentionDropout,
    ScalarType ComputeDType = ScalarType.Float32,
    double? HiddenDropout = null)
{
    /// <summary>What a recipe trains with by default, computing in <paramref name="dtype"/> (auto's resolution).</summary>
    public static TrainingLayout Defaults(BertConfig config, ScalarType dtype)
    {
        var defaults = new TrainingSettings();
        return new(defaults.GroupByLength, defaults.AttentionDropout ?? config.AttentionProbsDropoutProb, dtype, defaults.HiddenDropout);
    }

    /// <summary>Sets <paramref name="model"/>'s dropouts and compute dtype to this layout's; <see cref="Reset"/> undoes it.</summary>
    public void ApplyTo(BertForQuestionAnswering model)
    {
        model.SetAttentionDropout(AttentionDropout);
        model.SetHiddenDropout(HiddenDropout ?? model.Config.HiddenDropoutProb);
        model.UseComputeDType(ComputeDType);
    }

    public override string ToString()
    {
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        string hidden = HiddenDropout is { } probability ? probability.ToString(culture) : "the model's";
        return string.Create(culture, $"{(GroupByLength ? "grouped by length" : "plain shuffled batches")}, " +
            $"attention dropout {AttentionDropout}, hidden dropout {hidden}, {(ComputeDType == ScalarType.BFloat16 ? "bf16" : "fp32")}");
    }

    /// <summary>Back to the model's config and its parameters' dtype.</summary>
    public static void Reset(BertForQuestionAnswering model)
    {
        model.SetAttentionDropout(model.Config.AttentionProbsDropoutProb);
        model.SetHiddenDropout(model.Config.HiddenDropoutProb);
        model.UseComputeDType(model.ParameterDType);
    }
}
