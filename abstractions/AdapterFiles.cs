using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>Loading saved adapter tensors into parameters, with the checks every strategy needs, in one place.</summary>
public static class AdapterFiles
{
    /// <summary>
    /// Copies each tensor <c>Key</c> of the safetensors file at <paramref name="path"/> into its parameter. A missing
    /// file or tensor, or a shape that differs, is an <see cref="AdapterLoadException"/> naming the file and tensor,
    /// the model (<paramref name="modelSummary"/>, such as "hidden 384, r 8") and the likely cause (<paramref name="hint"/>).
    /// Tensors in the file that no target asks for are an <see cref="AdapterMismatchException"/>, thrown last, after
    /// every target was loaded; call this as the last step of <see cref="IAdapter.Load"/>.
    /// </summary>
    public static void LoadParameters(string path, IEnumerable<(string Key, Parameter Parameter)> targets, string modelSummary, string hint) =>
        LoadTensors(path, targets.Select(t => (t.Key, (Tensor)t.Parameter)), modelSummary, hint);

    /// <summary>As <see cref="LoadParameters"/>, into any tensors (statistics a strategy keeps beside its parameters).</summary>
    public static void LoadTensors(string path, IEnumerable<(string Key, Tensor Target)> targets, string modelSummary, string hint)
    {
        if (!File.Exists(path)) throw new AdapterLoadException($"{path}: not found");
        Dictionary<string, Tensor> saved;
        try { saved = SafeTensors.Load(path); }
        catch (InvalidDataException e) { throw new AdapterLoadException(e.Message); }
        try
        {
            using var _ = no_grad();
            var targetList = targets.ToList();
            foreach (var (key, parameter) in targetList)
            {
                if (!saved.TryGetValue(key, out var tensor))
                    throw new AdapterLoadException($"{path}: no tensor '{key}': {hint}");
                if (!tensor.shape.SequenceEqual(parameter.shape))
                    throw new AdapterLoadException($"{path}: '{key}' is [{string.Join(", ", tensor.shape)}] but this model ({modelSummary}) " +
                                                   $"expects [{string.Join(", ", parameter.shape)}]: {hint}");
                parameter.copy_(tensor);
            }
            var expected = targetList.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
            var unexpected = saved.Keys.Where(k => !expected.Contains(k)).Order(StringComparer.Ordinal).ToList();
            if (unexpected.Count > 0)
                throw new AdapterMismatchException($"{path}: {unexpected.Count} tensor(s) that this model ({modelSummary}) has no place for, " +
                                                   $"such as {string.Join(", ", unexpected.Take(4).Select(k => $"'{k}'"))}: {hint}", unexpected);
        }
        finally
        {
            foreach (var tensor in saved.Values) tensor.Dispose();
        }
    }
}
