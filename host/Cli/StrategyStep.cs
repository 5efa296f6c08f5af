using System.Text.Json.Nodes;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeftQa.Abstractions;
using PeftQa.Host.Modeling;
using PeftQa.Host.Recipes;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Data;
using PeftQa.Host.Plugins;
using PeftQa.Host.Training;
using Spectre.Console;
using PeftQa.Host.Foundation;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

/// <summary>One adapter strategy's training step at the bench shape.</summary>
public sealed record StrategyStep(string Strategy, long TrainableParameters, double TrainablePercent, double SecondsPerStep, double RelativeToFull);
