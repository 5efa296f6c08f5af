using static TorchSharp.torch;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Base of the BERT modules. Each registers its children and parameters explicitly under Hugging Face names;
/// TorchSharp's reflection-based registration (which ModuleList triggers on its items) would add every
/// auto-property's backing field as a second, wrongly named copy, so it is switched off here.
/// </summary>
public abstract class BertModule(string name) : nn.Module(name)
{
    protected override void RegisterComponents() { }
}
