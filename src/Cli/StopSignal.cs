using System.Runtime.InteropServices;

namespace Untapped.Cli;

/// <summary>
/// SIGTERM (how Slurm and Kubernetes preempt) and SIGINT (Ctrl-C) request a stop: the run finishes its step, commits a
/// checkpoint and exits with <see cref="ExitCode.Stopped"/>. A second SIGINT exits at once with
/// <see cref="ExitCode.Interrupted"/>, losing only the unfinished step.
/// </summary>
sealed class StopSignal : IDisposable
{
    readonly CancellationTokenSource _cts = new();
    readonly PosixSignalRegistration _term,
        _int;

    public StopSignal()
    {
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
        _int = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
    }

    public CancellationToken Token => _cts.Token;

    int _signals;

    void Handle(PosixSignalContext ctx)
    {
        ctx.Cancel = true;
        // Counted before anything else, so a second signal that arrives while the first is still being handled is seen.
        if (Interlocked.Increment(ref _signals) > 1 && ctx.Signal == PosixSignal.SIGINT)
        {
            Console.Error.WriteLine("second interrupt: exiting now; the work since the last checkpoint is lost");
            Environment.Exit(ExitCode.Interrupted);
        }
        _cts.Cancel();
        Console.Error.WriteLine(
            $"{ctx.Signal}: finishing the current step, then committing a checkpoint (Ctrl-C again to exit at once)"
        );
    }

    public void Dispose()
    {
        _term.Dispose();
        _int.Dispose();
        _cts.Dispose();
    }
}
