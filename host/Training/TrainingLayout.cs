using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using System.Diagnostics;
using static TorchSharp.torch;

namespace PeftQa.Host.Training;

/// <summary>How a training setup is laid out for a speed comparison: batch order and attention dropout.</summary>
public sealed record TrainingLayout(bool GroupByLength, double AttentionDropout);
