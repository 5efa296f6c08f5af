using PeftQa.Host.Foundation;

namespace PeftQa.Host.Runs;

/// <summary>The folder's lock is held by another process: the one refusal a waiting shard retries rather than reports.</summary>
public sealed class RunFolderInUseException(string message) : BadInputException(message);
