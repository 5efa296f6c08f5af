using FluentAssertions;
using Microsoft.Extensions.Logging;
using PeftQa.Host.Evaluation;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace PeftQa.Tests.Modeling;

/// <summary>Long inputs: memory bounded by one layer's temporaries, and progress shown while they are scored.</summary>
public sealed class MemoryBoundTests
{
    private static long TensorsLeftInCallerScope(int layers)
    {
        using var model = new BertForQuestionAnswering(TinyBert.Config() with { NumHiddenLayers = layers });
        model.eval();
        var (ids, mask, types) = TinyBert.Batch();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        model.Forward(ids, mask, types);
        return scope.DisposablesCount;
    }

    [Fact]
    public void A_forward_pass_leaves_one_tensor_per_layer_in_the_callers_scope_not_every_temporary()
    {
        long two = TensorsLeftInCallerScope(2), six = TensorsLeftInCallerScope(6);

        (six - two).Should().Be(4, "each layer's temporaries are released when it is done; only its output (the next layer's input) stays");
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }

    [Fact]
    public void Evaluation_progress_tells_windows_done_and_time_left_but_not_at_the_start_or_end()
    {
        var logger = new ListLogger();
        var progress = EvaluationProgress.Logged(logger, "question x", TimeSpan.Zero);

        progress(0, 2054);
        progress(192, 2054);
        progress(2054, 2054);

        logger.Lines.Should().ContainSingle().Which.Should().StartWith("question x: evaluated 192 of 2,054 windows, about ");
    }
}
