namespace Untapped.Training.Storage;

/// <summary>
/// A file could not be written (disk full, read-only directory, file-size limit): names the file and the cause.
/// </summary>
public sealed class OutputWriteException(string message, Exception? inner = null) : Exception(message, inner);
