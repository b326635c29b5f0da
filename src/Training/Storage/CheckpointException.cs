namespace Untapped.Training.Storage;

/// <summary>
/// A checkpoint (or any safetensors file) cannot be used: missing, unreadable, corrupt, or holding something this run
/// cannot continue from (another model's tensors, another run's options). The message names the file and the problem.
/// </summary>
public sealed class CheckpointException(string message) : Exception(message);
