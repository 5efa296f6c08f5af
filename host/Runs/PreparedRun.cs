using PeftQa.Host.Data;
using PeftQa.Host.Data.Tokenization;
using PeftQa.Host.Planning;
using PeftQa.Host.Plugins;
using PeftQa.Host.Recipes;

namespace PeftQa.Host.Runs;

/// <summary>What a run needs, every check done: the recipe, plugins, plan, device, tokenizer and each task's data in windows.</summary>
public sealed record PreparedRun(
    RecipeLoader.LoadedRecipe Loaded,
    PluginCatalog Plugins,
    RunPlan Plan,
    TorchSharp.torch.Device Device,
    BertTokenizer Tokenizer,
    IReadOnlyList<TaskData> Tasks);
