namespace Untapped.Training;

/// <summary>Mean loss terms and speed of one epoch.</summary>
public sealed record EpochMetrics(int Epoch, double LearningRate, IReadOnlyDictionary<string, double> Losses, double StepMs, double SamplesPerSecond, double Seconds);
