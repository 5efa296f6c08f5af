namespace PeftQa.Host.Foundation;

/// <summary>
/// The work failed for a reason the message explains in full and the user can act on (training diverged): exit code 1
/// with the message alone, no stack trace.
/// </summary>
public class WorkFailedException(string message) : Exception(message);
