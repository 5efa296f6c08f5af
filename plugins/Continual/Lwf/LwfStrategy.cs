using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

/// <summary>
/// Learning without Forgetting (Li and Hoiem, 2017; Avalanche's <c>LwF(alpha, temperature)</c>): while training a task, the
/// loss gains alpha times the distillation of the previous model's start and end distributions on the new task's own
/// windows (<see cref="DistillationLoss"/>), so no data of earlier tasks is kept. The previous model is the study's model
/// as the task started; on the first task it is the starting model, distilled when that already answers questions.
/// Works with every adapter strategy whose trainable parameters determine what it computes (all bundled ones): the
/// teacher is those parameters' earlier values. Costs one extra forward pass, without gradients, per batch.
/// </summary>
public sealed class LwfStrategy : ContinualStrategy<LwfOptions>
{
    public override string Name => "lwf";

    public override string Description =>
        "Learning without Forgetting: distils the previous model's start/end distributions on the new task's windows; keeps no old data.";

    protected override IReadOnlyList<string> Validate(LwfOptions options, AdapterTraits adapter)
    {
        var problems = new List<string>();
        if (!(options.Alpha >= 0) || double.IsInfinity(options.Alpha)) problems.Add($"alpha: expected a finite number >= 0, got {options.Alpha}");
        if (!(options.Temperature > 0) || double.IsInfinity(options.Temperature))
            problems.Add($"temperature: expected a finite number > 0, got {options.Temperature}");
        if (!LwfOptions.FromStartChoices.Contains(options.FromStart))
            problems.Add($"fromStart: expected one of {string.Join(", ", LwfOptions.FromStartChoices)}, got '{options.FromStart}'");
        if (adapter.KeepsStateOutsideParameters)
            problems.Add($"adapter strategy '{adapter.Strategy}' computes with state outside its trainable parameters, so lwf cannot " +
                         "recreate the previous model from their earlier values; use full, lora or another adapter");
        return problems;
    }

    protected override IContinualLearner Start(ContinualSetup setup, LwfOptions options) => new LwfLearner(setup, options);
}
