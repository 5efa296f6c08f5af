namespace PeftQa.Abstractions;

/// <summary>A saved adapter that cannot be loaded into this model or by this strategy.</summary>
public class AdapterLoadException(string message) : Exception(message);
