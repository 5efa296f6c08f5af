using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Training;

/// <summary>What one training stage produced.</summary>
public sealed record TrainingSummary(int Steps, long Examples, double Seconds, double ExamplesPerSecond, double FinalLoss, int ResumedAtStep);
