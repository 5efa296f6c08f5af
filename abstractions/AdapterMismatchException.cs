namespace PeftQa.Abstractions;

/// <summary>
/// A saved adapter file that holds tensors this model has no place for: made for a deeper model, other target modules
/// or another strategy. <see cref="AdapterFiles"/> throws it after every expected tensor was loaded, so a caller that
/// is told to ignore mismatches (<c>--ignore-mismatched</c>) keeps a complete adapter.
/// </summary>
public sealed class AdapterMismatchException(string message, IReadOnlyList<string> unexpectedTensors) : AdapterLoadException(message)
{
    public IReadOnlyList<string> UnexpectedTensors { get; } = unexpectedTensors;
}
