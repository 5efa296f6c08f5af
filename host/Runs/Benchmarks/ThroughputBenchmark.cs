using PeftQa.Host.Training;
using PeftQa.Host.Recipes;
using PeftQa.Host.Data;
using PeftQa.Abstractions;
using System.Diagnostics;
using Google.Protobuf;
using PeftQa.Host.Modeling;
using static TorchSharp.torch;

namespace PeftQa.Host.Runs.Benchmarks;

/// <summary>
/// Throughput of the encoder with its QA head at a fixed batch shape, against two yardsticks measured in the same
/// process: the fp32 rate of a 2048 x 2048 matrix product (for MFU) and ONNX Runtime on the same ONNX file, inputs
/// and thread count; and ONNX Runtime on the model itself as <c>peftqa export</c> writes it (the deployment engine).
/// Model FLOPs count the matrix products only (projections, feed-forward, attention scores and mixing, QA head); a
/// training step counts 3x the forward.
/// </summary>
public static class ThroughputBenchmark
{
    /// <summary>Seeds the random inputs, so every bench, on every machine, times the same ones.</summary>
    private const int InputSeed = 0;

    /// <param name="training">What the headline training step runs with: the recipe defaults (attention dropout, precision).</param>
    /// <param name="fp32Route">This host's route for fp32 products: every fp32 figure is taken through it,
    /// matmulGflopsFp32Default through libtorch's default kernels and matmulGflopsFp32OneDnn through oneDNN's where this CPU
    /// allows them.</param>
    public static BenchmarkResult Run(BertForQuestionAnswering model, byte[]? onnxModel, int batch, int length, int iterations, int threads,
        Fp32ProductRoute fp32Route, TrainingLayout training, Action<string> progress)
    {
        var config = model.Config;
        double forwardFlops = ForwardFlopsPerExample(config, length);

        progress("matrix product rates (2048 x 2048: fp32 by the default kernels, by oneDNN's where this CPU allows them, and bf16)");
        OneDnnFp32Matmul.Set(false);
        double fp32DefaultFlops = MatmulRate(ScalarType.Float32);
        double fp32OneDnnFlops = double.NaN;
        if (Fp32ProductRoute.OneDnnPossibleHere().Possible && OneDnnFp32Matmul.Set(true)) fp32OneDnnFlops = MatmulRate(ScalarType.Float32);
        OneDnnFp32Matmul.Set(fp32Route.OneDnn);
        double fp32Flops = fp32Route.OneDnn ? fp32OneDnnFlops : fp32DefaultFlops;
        double bf16Flops = MatmulRate(ScalarType.BFloat16);
        // MFU against the machine's best route, not the slow default, so it errs low.
        double matmulFlops = Math.Max(fp32Flops, bf16Flops);

        manual_seed(InputSeed);
        var ids = randint(1000, config.VocabSize, [batch, length], dtype: ScalarType.Int64);
        ids[.., 0] = tensor(101L);
        var mask = ones(batch, length, dtype: ScalarType.Int64);
        var types = zeros(batch, length, dtype: ScalarType.Int64);
        types[.., (length / 4)..] = tensor(1L);

        progress($"inference, batch {batch} x {length}");
        model.eval();
        double inferenceSeconds = InferenceSeconds(model, ids, mask, types, iterations);
        double bf16InferenceRate = Bf16InferenceRate(model, ids, mask, types, iterations, emulated: bf16Flops < EmulatedBelow, progress);

        var trainable = model.NamedParameters.Where(p => p.Parameter.requires_grad).ToList();
        progress($"training step with the recipe defaults (the trainer's: forward, backward, clipping, AdamW), batch {batch} x {length}, " +
                 $"attention dropout {training.AttentionDropout}, {training.ComputeDType}");
        double trainingSeconds = TrainingStepSeconds(model, trainable, batch, length, training, iterations);

        double onnxSeconds = double.NaN;
        if (onnxModel is not null)
        {
            progress($"ONNX Runtime, same ONNX file, inputs and {threads} threads");
            using var reference = new OnnxRuntimeReference(onnxModel, threads);
            var idsArray = ids.data<long>().ToArray();
            var maskArray = mask.data<long>().ToArray();
            var typesArray = types.data<long>().ToArray();
            onnxSeconds = TimePerIteration(iterations, () => reference.LastHiddenState(idsArray, maskArray, typesArray, batch, length));
        }

        progress($"ONNX Runtime on this model as peftqa export writes it (QA head included), same inputs and {threads} threads");
        double exportedSeconds;
        using (var exported = OnnxQaModel.FromBytes(OnnxQaExporter.Build(model).ToByteArray(), config, threads))
            exportedSeconds = TimePerIteration(iterations, () => exported.Forward(ids, mask, types));

        double inferenceRate = batch / inferenceSeconds;
        double trainingRate = batch / trainingSeconds;
        double onnxRate = batch / onnxSeconds;
        double exportedRate = batch / exportedSeconds;
        return new BenchmarkResult(model.Description.BaseModel, batch, length, threads,
            matmulFlops / 1e9, fp32DefaultFlops / 1e9, fp32OneDnnFlops / 1e9, fp32Flops / 1e9, bf16Flops / 1e9, forwardFlops / 1e9,
            inferenceRate, training.AttentionDropout,
            ComputePrecision.Name(training.ComputeDType == ScalarType.BFloat16 ? Precision.Bf16 : Precision.Fp32),
            trainingRate, onnxRate, inferenceRate * forwardFlops / matmulFlops, trainingRate * 3 * forwardFlops / matmulFlops,
            inferenceRate / onnxRate, exportedRate, inferenceRate / exportedRate,
            bf16InferenceRate, bf16InferenceRate / onnxRate);
    }

    private static double InferenceSeconds(BertForQuestionAnswering model, Tensor ids, Tensor mask, Tensor types, int iterations) =>
        TimePerIteration(iterations, () =>
        {
            using var _ = inference_mode();
            model.Forward(ids, mask, types);
        });

    /// <summary>
    /// Examples/s of bf16 mixed-precision inference (<see cref="BertForQuestionAnswering.UseComputeDType"/>) on the same
    /// inputs. Where bf16 is only emulated a batch takes minutes, so the first example alone is timed, once.
    /// </summary>
    private static double Bf16InferenceRate(BertForQuestionAnswering model, Tensor ids, Tensor mask, Tensor types, int iterations, bool emulated,
        Action<string> progress)
    {
        long batch = emulated ? 1 : ids.shape[0];
        progress(emulated ? "bf16 inference (emulated on this CPU: one example, once)" : $"bf16 inference, batch {batch} x {ids.shape[1]}");
        model.UseComputeDType(ScalarType.BFloat16);
        try
        {
            using var scope = NewDisposeScope();
            var (i, m, t) = (ids.narrow(0, 0, batch), mask.narrow(0, 0, batch), types.narrow(0, 0, batch));
            return batch / InferenceSeconds(model, i, m, t, emulated ? 1 : iterations);
        }
        finally
        {
            model.UseComputeDType(model.ParameterDType);
        }
    }

    /// <summary>
    /// Seconds per training step of <paramref name="model"/> training <paramref name="trainable"/>: the trainer's own
    /// <see cref="TrainingStep"/> (collation, forward, loss, backward, clipping, AdamW with its weight-decay groups) on
    /// <paramref name="batch"/> windows of <paramref name="length"/> random tokens, laid out as <paramref name="layout"/>
    /// says (dropouts, compute dtype), with the recipe defaults otherwise.
    /// </summary>
    public static double TrainingStepSeconds(BertForQuestionAnswering model, IReadOnlyList<NamedParameter> trainable, int batch, int length,
        TrainingLayout layout, int iterations)
    {
        layout.ApplyTo(model);
        model.train();
        try
        {
            var windows = RandomWindows(model.Config, batch, length);
            using var step = new TrainingStep(model, trainable, new TrainingSettings { BatchSize = batch }, padId: 0, CPU);
            return TimePerIteration(iterations, () => step.Take([windows], 0, 1e-5));
        }
        finally
        {
            model.eval();
            TrainingLayout.Reset(model);
        }
    }

    /// <summary>Windows of random word pieces: [CLS], a question of a quarter of the length, the rest context, answers inside.</summary>
    internal static List<QaFeature> RandomWindows(BertConfig config, int count, int length)
    {
        var random = new Random(InputSeed);
        int contextStart = length / 4;
        return Enumerable.Range(0, count).Select(i =>
        {
            var ids = Enumerable.Range(0, length).Select(_ => random.Next(1000, config.VocabSize)).ToArray();
            ids[0] = 101;
            int start = random.Next(contextStart, length - 1);
            return new QaFeature(i, ids, contextStart, new (int, int)[length - contextStart - 1], start, Math.Min(start + 3, length - 2));
        }).ToList();
    }

    /// <summary>Multiply-adds x 2 of one example's forward pass at <paramref name="length"/> tokens.</summary>
    public static double ForwardFlopsPerExample(BertConfig config, int length)
    {
        double l = length, h = config.HiddenSize, i = config.IntermediateSize;
        double projections = 4 * 2 * l * h * h;
        double feedForward = 2 * 2 * l * h * i;
        double attention = 2 * 2 * l * l * h;
        return config.NumHiddenLayers * (projections + feedForward + attention) + 2 * l * h * 2;
    }

    /// <summary>
    /// The best of 15 timed 2048^3 products after 3 warm-ups: the route's sustained peak, so MFU errs low, not high. A
    /// route this CPU has no fast kernels for (bf16 without AVX512_BF16 or AMX is emulated, below 20 GFLOP/s, minutes
    /// per 2048^3 product) is measured on one 512^3 product instead.
    /// </summary>
    private static double MatmulRate(ScalarType dtype)
    {
        double probe = BestRate(512, dtype, timed: 1);
        return probe < EmulatedBelow ? probe : BestRate(2048, dtype, timed: 15);
    }

    /// <summary>FLOP/s below which a route counts as emulated.</summary>
    private const double EmulatedBelow = 20e9;

    private static double BestRate(int n, ScalarType dtype, int timed)
    {
        using var a = randn(n, n, dtype: dtype);
        using var b = randn(n, n, dtype: dtype);
        for (int i = 0; i < (timed > 1 ? 3 : 1); i++) a.matmul(b).Dispose();
        double best = double.MaxValue;
        for (int i = 0; i < timed; i++)
        {
            var watch = Stopwatch.StartNew();
            a.matmul(b).Dispose();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return 2.0 * n * n * n / best;
    }

    /// <summary>Median seconds per call after one warm-up call; tensors made by a call are freed after it.</summary>
    internal static double TimePerIteration(int iterations, Action action)
    {
        using (NewDisposeScope()) action();
        var times = new List<double>();
        for (int i = 0; i < iterations; i++)
        {
            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalSeconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }
}
