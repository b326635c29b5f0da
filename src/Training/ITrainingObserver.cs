namespace Untapped.Training;

/// <summary>Receives progress from long work (the CLI draws bars; tests ignore it).</summary>
public interface ITrainingObserver
{
    void Phase(string what) { }
    void Step(int epoch, int epochs, int step, int steps, float loss) { }
    void Epoch(EpochMetrics m, int epochs) { }
}

public sealed class NullObserver : ITrainingObserver;
