namespace Untapped.Cli;

/// <summary>The process's exit codes (README "Exit codes").</summary>
public static class ExitCode
{
    /// <summary>0 success; 1 bad input data, a failed run, a failed write, a kernel fault or driver error, or a GPU
    /// that failed its self-check when asked for by name; 2 bad options or an absent or refused backend; 3 stopped by
    /// SIGTERM/SIGINT after committing a checkpoint; 130 a second Ctrl-C (the step in progress is lost).</summary>
    public const int Ok = 0,
        Failed = 1,
        Usage = 2,
        Stopped = Training.Runs.TrainingStoppedException.ExitCode,
        Interrupted = 130;
}
