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
        if (learner.Routing != EvaluationRouting.Shared || adapters.Count == 0) return (folders, null);

        var modelFolder = Path.Combine(folder, RunFolderFiles.ModelFolder);
        if (adapters.All(a => a.TrainableParameters.All(p => modelParameters.Contains(p.Parameter))))
            Checkpoint.Save(model, vocabPath, modelFolder);
        else if (adapters.All(a => a.SupportsMerge))
        {
            // A disabled adapter is not part of the model that answers (the merge strategy's adapters: their merge is
            // already in the weights).
            var enabled = adapters.Where(a => a.Enabled).ToList();
            foreach (var adapter in enabled) adapter.Merge();
            Checkpoint.Save(model, vocabPath, modelFolder);
            foreach (var adapter in Enumerable.Reverse(enabled)) adapter.Unmerge();
        }
        else return (folders, null);
        return (folders, modelFolder);
    }
}
