using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftQa.Host.Continual;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Reporting;

/// <summary>One strategy's line in a comparison.</summary>
public sealed record ComparisonRow(
    string Study,
    string Strategy,
    double TrainablePercent,
    long TrainableParameters,
    IReadOnlyDictionary<string, double> Scores,
    double TrainingExamplesPerSecond,
    double SecondsPerStep,
    double OptimizerStateMegabytes,
    double PeakMemoryMegabytes,
    double AdapterMegabytes);
