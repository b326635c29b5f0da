using Untapped.Training.Data;
using Untapped.Training.Storage;

namespace Untapped.Training;

/// <summary>
/// The one rule for which exceptions mean "this run failed" (exit 1) rather than a bad command line (exit 2), a stop
/// (exit 3) or a defect: bad input data, a corrupt checkpoint, a failed write, divergence, a kernel fault or driver
/// error of a backend that is present (<see cref="Kernels.DeviceException"/>), a GPU named explicitly that fails its
/// self-check, a run directory without a finished run's files. The CLI maps them to exit 1 (and words their
/// <see cref="IRemedied"/> remedies); a sweep records the trial as failed and goes on to the next.
/// </summary>
public static class RunFailure
{
    public static bool Is(Exception e) =>
        e
            is TrainingDivergedException
                or DataFormatException
                or CheckpointException
                or OutputWriteException
                or IOException
                or Kernels.DeviceException
                or SelfCheckFailedException
                or IncompleteRunException;

    /// <summary>The message to print for a run failure.</summary>
    public static string Describe(Exception e) =>
        e is TrainingDivergedException or Kernels.DeviceException
            ? $"{e.Message}; the last committed checkpoint is kept"
            : e.Message;
}
