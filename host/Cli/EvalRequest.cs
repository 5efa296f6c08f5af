using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeftQa.Abstractions;
using PeftQa.Host.Data;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;
using PeftQa.Host.Foundation;
using PeftQa.Host.Reporting;

namespace PeftQa.Host.Cli;

public sealed record EvalRequest(string Model, string? Adapter, string Data, string Out, IReadOnlyList<string> Metrics, int? MaxExamples,
    int MaxSequenceLength, int DocStride, bool AllowPickle, int Seed = 42, bool IgnoreMismatched = false);
