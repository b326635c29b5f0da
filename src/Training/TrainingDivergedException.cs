namespace Untapped.Training;

/// <summary>Training stopped because a loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
