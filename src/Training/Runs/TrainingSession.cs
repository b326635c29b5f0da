using Untapped.Kernels;
using Untapped.Training.Data;
using Untapped.Training.Evaluation;
using Untapped.Training.Reports;
using Untapped.Training.Storage;

namespace Untapped.Training.Runs;

/// <summary>
/// Trains one run into its directory: starts it, or with <c>resume</c> continues it from its checkpoint (starting it
/// when the directory holds none, so a requeued job is idempotent), commits checkpoints by the policy, stops cleanly
/// when <c>stop</c> fires, then writes the reports. On the epochs the schedule names it logs the held-out metrics
/// (<see cref="HeldOutMetrics"/>) with the epoch's line; they read a copy of the parameters and draw nothing from the
/// run's random streams, so the trained bits are those of a run without them.
/// </summary>
public static class TrainingSession
{
    public static EvalResult Run(
        RunOptions o,
        Backend acc,
        bool resume,
        RunSchedule schedule,
        CancellationToken stop,
        ITrainingObserver? observer = null
    )
    {
        observer ??= new NullObserver();
        o.Validate();
        schedule.Validate();
        var previous = RunDirectory.ReadOptions(o.OutDir);
        bool hasCheckpoint = File.Exists(Path.Combine(o.OutDir, RunDirectory.CheckpointFile));
        if (!resume && hasCheckpoint)
        {
            throw new UsageException(
                $"{o.OutDir} already holds a run ({RunDirectory.CheckpointFile})",
                Remedy.Resume,
                Remedy.ChooseAnotherOutDir
            );
        }

        if (resume && previous is not null && o.DifferencesFrom(previous) is { Count: > 0 } diff)
        {
            throw new UsageException(
                $"{o.OutDir} holds a run of other options; it differs in: {string.Join("; ", diff)}"
            );
        }

        // Data first: a bad file must fail before the run directory holds anything new.
        observer.Phase("loading MNIST");
        var data = new ExperimentData(Mnist.Load(o.DataDir), o.Seed, o.UnlabelledCount);
        // Loading left the files' bytes (about 55 MB, and the decompressor's) as large-object garbage, which the GC
        // would keep committed for the whole run: one compacting collection (below) returns it before the arena is made.
        using var dir = RunDirectory.Open(o.OutDir);
        // The judge before the trainer: on a machine's first run it trains full-batch over every image (its own arena,
        // about 250 MB), which is freed before the trainer's arena exists, so the run's peak memory is the larger of
        // the two, not their sum. Cached after that (ReferenceClassifier.TrainOrLoad).
        var reference = ReferenceClassifier.TrainOrLoad(
            acc,
            data.Pool,
            ReferenceClassifier.DefaultCacheDir(),
            onTrain: () => observer.Phase("training the reference classifier (once per machine, then cached)")
        );
        // Aggressive: compacts and hands the freed memory back to the OS now (a plain collection keeps it committed).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var trainer = new Trainer(o.Model, data, acc, o.Batch, o.Seed);
        int steps = trainer.StepsPerEpoch,
            total = o.Model.Epochs * steps;
        string fingerprint = o.Fingerprint();

        if (resume && dir.HasCheckpoint)
        {
            var (p, m, v, state) = dir.ReadCheckpoint(trainer.Objective.Graph.Parameters);
            if (state.Fingerprint != fingerprint)
            {
                throw new CheckpointException(
                    $"{dir.Checkpoint}: was written by a run of other options than its config.json (compare the two)"
                );
            }

            if (state.StepsDone > total)
            {
                throw new UsageException(
                    $"{o.OutDir}: the checkpoint is at step {state.StepsDone}, past the {total} steps of {o.Model.Epochs} epochs",
                    Remedy.AskForMoreEpochs,
                    Remedy.ChooseAnotherOutDir
                );
            }

            trainer.Restore(p, m, v, state.StepsDone, state.EpochLossSums);
            dir.KeepMetrics(state.StepsDone / steps);
            observer.Phase(
                $"resuming at step {state.StepsDone} of {total} (epoch {state.StepsDone / steps + 1}, step {state.StepsDone % steps + 1})"
            );
        }
        else
        {
            if (resume)
                observer.Phase($"{o.OutDir} holds no checkpoint yet: starting the run");
            dir.KeepMetrics(0);
        }
        dir.WriteOptions(o);
        EvalResult? atEnd = null; // the last epoch's evaluation, which eval.json reuses rather than repeats
        HeldOutMetrics HeldOut()
        {
            var r = Evaluator.Run(acc, data, o.Model, trainer.Executor.Parameters, reference);
            atEnd = trainer.StepsDone == total ? r : null;
            return r.HeldOut;
        }

        var sinceCommit = System.Diagnostics.Stopwatch.StartNew();
        void Commit()
        {
            dir.Commit(trainer.Executor, new TrainingState(trainer.StepsDone, [.. trainer.EpochLossSums], fingerprint));
            sinceCommit.Restart();
        }
        while (trainer.StepsDone < total)
        {
            var epochDone = trainer.Step();
            int done = trainer.StepsDone;
            observer.Step((done - 1) / steps + 1, o.Model.Epochs, (done - 1) % steps + 1, steps, trainer.LastLoss);
            // The epoch's line is on disk before any checkpoint that covers the epoch (see RunDirectory).
            if (epochDone is { } em)
            {
                if (schedule.EvalDue(em.Epoch, o.Model.Epochs))
                    em = em with { HeldOut = HeldOut() };
                dir.AppendMetrics(em);
                observer.Epoch(em, o.Model.Epochs);
            }
            if (stop.IsCancellationRequested)
            {
                Commit();
                throw new TrainingStoppedException(dir.Checkpoint, done, total);
            }
            if (done == total || schedule.Checkpoints.Due(done, steps, sinceCommit.Elapsed))
                Commit();
        }
        return RunReports.Write(dir, acc, data, o, trainer.Executor.Parameters, observer, atEnd);
    }
}
