using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Foundation;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

public sealed record PredictRequest(string Model, string? Adapter, string? Question, string? Context, bool AllowPickle, bool IgnoreMismatched = false);
