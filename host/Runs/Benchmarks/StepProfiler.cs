using System.Diagnostics;
using PeftQa.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using PeftQa.Host.Training;
using static TorchSharp.torch;

namespace PeftQa.Host.Runs.Benchmarks;

/// <summary>
/// Profiles the trainer's own step (<see cref="TrainingStep"/>) at the bench shape: forward and backward split by
/// <see cref="OpProfile"/>, the optimizer by the step's phases, on the random windows the bench's other steps use.
/// </summary>
public static class StepProfiler
{
    /// <param name="iterations">Profiled steps, after one warm-up step and the unprofiled timing of as many.</param>
    public static StepProfile Profile(BertForQuestionAnswering model, IReadOnlyList<NamedParameter> trainable, string strategy,
        ScalarType dtype, int batch, int length, int iterations)
    {
        var windows = ThroughputBenchmark.RandomWindows(model.Config, batch, length);
        TrainingLayout.Defaults(model.Config, dtype).ApplyTo(model);
        model.train();
        using var step = new TrainingStep(model, trainable, new TrainingSettings { BatchSize = batch }, padId: 0, CPU);
        try
        {
            double stepSeconds = ThroughputBenchmark.TimePerIteration(iterations, () => step.Take([windows], 0, 1e-5));
            var (ops, optimizerSeconds) = ProfiledSteps(step, windows, iterations);
            return new StepProfile(strategy, ComputePrecision.Name(dtype == ScalarType.BFloat16 ? Precision.Bf16 : Precision.Fp32),
                stepSeconds, PerStep(ops.ForwardSeconds, iterations), PerStep(ops.BackwardSeconds, iterations), optimizerSeconds / iterations);
        }
        finally
        {
            model.eval();
            TrainingLayout.Reset(model);
        }
    }

    private static (OpProfile Ops, double OptimizerSeconds) ProfiledSteps(TrainingStep step, List<Data.QaFeature> windows, int iterations)
    {
        var ops = OpProfile.Start();
        var optimizer = new Stopwatch();
        step.PhaseReached = phase =>
        {
            switch (phase)
            {
                case StepPhase.ForwardBegins: ops.BeginForward(); break;
                case StepPhase.BackwardBegins: ops.EndForward(); ops.BeginBackward(); break;
                case StepPhase.BackwardEnded: ops.EndBackward(); break;
                case StepPhase.OptimizerBegins: optimizer.Start(); break;
                case StepPhase.StepEnded: optimizer.Stop(); break;
            }
        };
        try
        {
            for (int i = 0; i < iterations; i++)
            {
                using var scope = NewDisposeScope();
                step.Take([windows], 0, 1e-5);
            }
            return (ops, optimizer.Elapsed.TotalSeconds);
        }
        finally
        {
            ops.Stop();
            step.PhaseReached = null;
        }
    }

    private static Dictionary<OpCategory, double> PerStep(IReadOnlyList<double> seconds, int iterations) =>
        Enum.GetValues<OpCategory>().ToDictionary(c => c, c => seconds[(int)c] / iterations);
}
