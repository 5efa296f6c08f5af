using Microsoft.Extensions.DependencyInjection;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using PeftQa.Host.Reporting;
using PeftQa.Host.Studies;
using PeftQa.Host.Runs.Benchmarks;
using PeftQa.Host.Training;

namespace PeftQa.Host.Runs;

/// <summary>
/// The services below the command line, registered once: the entry points of the verbs and what they use. The run log
/// (<see cref="RunLogSink"/>) is registered by whoever builds the logging, since Serilog writes to it.
/// </summary>
public static class RunServices
{
    public static IServiceCollection AddRunServices(this IServiceCollection services, ComputeSettings compute, IReadOnlyList<string> pluginFolders)
    {
        services.AddSingleton(compute);
        services.AddSingleton(new ExtraPluginFolders(pluginFolders));
        services.AddSingleton<PluginLoader>();
        services.AddSingleton<TorchRuntime>();
        services.AddSingleton<QaTrainer>();
        services.AddSingleton<StudyRunner>();
        services.AddSingleton<SelectionRunner>();
        services.AddSingleton<TrainingProgressDisplay>();
        services.AddSingleton<StudyTraining>();
        services.AddTransient<RunExecution>();
        services.AddTransient<AnsweringModels>();
        services.AddTransient<ModelExport>();
        services.AddTransient<AdapterMerge>();
        services.AddTransient<BenchExecution>();
        services.AddTransient<ClusterSubmission>();
        services.AddTransient<RunComparison>();
        services.AddTransient<ModelEvaluation>();
        services.AddTransient<PredictionScoring>();
        return services;
    }
}
