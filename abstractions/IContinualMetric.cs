namespace PeftQa.Abstractions;

/// <summary>
/// A continual-learning metric over one study's accuracy matrix: how much of the earlier tasks the model keeps, how much
/// training on earlier tasks helps later ones. Examples: ACC, BWT, FWT, forgetting. Values are in the matrix's units
/// (score points, 0..100 for F1 and exact match).
/// </summary>
[PluginKind("continual-metric")]
public interface IContinualMetric : IPeftQaPlugin
{
    /// <summary>The formula in words, printed under the report's tables (say which of the published definitions it is).</summary>
    string Definition { get; }

    /// <summary>The study's value and, where the metric has one, a value per task; null where undefined (BWT of one task).</summary>
    ContinualScore Compute(AccuracyMatrix matrix);
}
