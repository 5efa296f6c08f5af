using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Host.Training;

/// <summary>The training loss became NaN or infinite; the last good checkpoint is kept.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
