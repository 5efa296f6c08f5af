namespace PeftQa.Host.Foundation;

/// <summary>
/// The user's input is wrong (a recipe, a path, an option, a plugin conflict): exit code 2. Each line of
/// <see cref="Problems"/> names the file, field or option concerned.
/// </summary>
public class BadInputException(IReadOnlyList<string> problems) : Exception(string.Join(Environment.NewLine, problems))
{
    public BadInputException(string problem) : this([problem]) { }

    public IReadOnlyList<string> Problems { get; } = problems;
}
