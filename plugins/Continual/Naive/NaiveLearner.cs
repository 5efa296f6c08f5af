using PeftQa.Abstractions;

namespace PeftQa.Plugins.Continual;

/// <summary>What <see cref="LearnerBase"/> gives and nothing more: one adapter, trained task after task.</summary>
internal sealed class NaiveLearner(ContinualSetup setup) : LearnerBase(setup);
