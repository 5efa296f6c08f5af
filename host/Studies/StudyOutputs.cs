using PeftQa.Abstractions;
using PeftQa.Host.Foundation;
using PeftQa.Host.Modeling;
using PeftQa.Host.Plugins;
using TorchSharp.Modules;

namespace PeftQa.Host.Studies;

/// <summary>What a finished study leaves for users: its adapters and, where one model answers every task, the merged model.</summary>
internal static class StudyOutputs
{
    /// <summary>
    /// Saves what the study trained: one adapter in <c>adapter/</c>, or one folder per adapter (<c>adapter-1-&lt;task&gt;/</c>, ...);
    /// and, where one model answers every task, the complete model with the adapters merged in <c>model/</c>.
    /// </summary>
    public static (IReadOnlyList<string> AdapterFolders, string? ModelFolder) Save(IContinualLearner learner, StudyPlan study, StudyContext context,
        string vocabPath, BertForQuestionAnswering model, HashSet<Parameter> modelParameters, string folder)
    {
        var adapters = learner.Adapters;
        // The shared model first: saving an adapter activates its task, which may change what the model computes.
        var modelFolder = learner.Routing == EvaluationRouting.Shared && adapters.Count > 0
            ? SaveModel(adapters, vocabPath, model, modelParameters, Path.Combine(folder, RunFolderFiles.ModelFolder))
            : null;
        var folders = new List<string>();
        for (int i = 0; i < adapters.Count; i++)
        {
            var taskName = context.Tasks[Math.Min(i, context.Tasks.Count - 1)].Name;
            var adapterFolder = Path.Combine(
                folder, adapters.Count == 1 ? RunFolderFiles.AdapterFolder : RunFolderFiles.TaskAdapterFolder(i, taskName));
            learner.Activate(i);
            AdapterFolder.Save(adapters[i], study.Strategy, study.Options, model.Description, adapterFolder);
            folders.Add(adapterFolder);
        }
        return (folders, modelFolder);
    }

    /// <summary>The model that answers every task, with its enabled adapters merged in; null where they cannot be merged.</summary>
    private static string? SaveModel(IReadOnlyList<IAdapter> adapters, string vocabPath, BertForQuestionAnswering model,
        HashSet<Parameter> modelParameters, string modelFolder)
    {
        if (adapters.All(a => a.TrainableParameters.All(p => modelParameters.Contains(p.Parameter))))
        {
            Checkpoint.Save(model, vocabPath, modelFolder);
            return modelFolder;
        }
        if (!adapters.All(a => a.SupportsMerge)) return null;
        // A disabled adapter is not part of the model that answers (the merge strategy's adapters: their merge is
        // already in the weights).
        var enabled = adapters.Where(a => a.Enabled).ToList();
        foreach (var adapter in enabled) adapter.Merge();
        Checkpoint.Save(model, vocabPath, modelFolder);
        foreach (var adapter in Enumerable.Reverse(enabled)) adapter.Unmerge();
        return modelFolder;
    }
}
