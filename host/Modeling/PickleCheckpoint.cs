using System.Collections;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using PeftQa.Host.Foundation;

namespace PeftQa.Host.Modeling;

/// <summary>
/// Reads a PyTorch <c>pytorch_model.bin</c> state dict through TorchSharp.PyBridge. Unpickling can execute code
/// embedded in the file, so <see cref="Checkpoint.Load"/> calls this only when the user explicitly allows it.
/// </summary>
public static class PickleCheckpoint
{
    public static Dictionary<string, Tensor> Load(string path)
    {
        Hashtable stateDict;
        try { stateDict = PyTorchUnpickler.UnpickleStateDict(path); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new BadInputException($"{path}: cannot read the pickled state dict: {e.Message}");
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in stateDict)
            if (entry.Key is string name && entry.Value is Tensor tensor) result[name] = tensor;
        return result;
    }
}
