namespace Untapped.Training.Data;

/// <summary>
/// An input file (IDX data, a run's config.json or eval.json) is missing or malformed; the message names the file and
/// the problem.
/// </summary>
public sealed class DataFormatException(string message, Exception? inner = null) : Exception(message, inner);
