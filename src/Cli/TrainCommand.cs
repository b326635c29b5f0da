namespace Untapped.Cli;

static partial class Commands
{
    /// <summary>`untapped train`: the options of one run and the action that trains it.</summary>
    internal sealed class TrainCommand
    {
        public readonly Switches Sw = new();
        readonly Option<string?> _out = Opt<string?>(
            "--out",
            "Run directory [default: runs/<model>-<preset>-seed<seed>]"
        );
        readonly Option<bool> _resume = Opt(
            "--resume",
            "Continue the run in --out from its last checkpoint, or start it when --out holds none (so a requeued job is idempotent)",
            false,
            true
        );
        public readonly Option<string> Every = Opt(
            "--checkpoint-every",
            "When to commit a checkpoint besides the end and a stop signal: 'epoch', a step count (50) or an interval (90s, 10m, 2h)",
            "epoch",
            true
        );
        public readonly Option<SelfCheckMode> SelfCheck = Opt(
            "--self-check",
            "Before training on CUDA or OpenCL, check every kernel and one training step against the managed CPU: auto (unless a pass is cached for this GPU, driver and build), always, never. A failure falls back to the CPU under --backend auto and exits 1 under an explicit --backend",
            SelfCheckMode.Auto,
            true
        );
        public readonly Option<int> EvalEvery = Opt(
            "--eval-every",
            $"Log the held-out metrics (cross-entropy, accuracy, distinct digits, permutation, entropy of q(y|x)) into metrics.jsonl every N epochs and after the last; 0: after the last only. Changes no trained number",
            RunSchedule.DefaultEvalEvery,
            true
        );
        public Command Command { get; }

        public TrainCommand(CancellationToken stop = default)
        {
            Command = new Command(
                "train",
                "Train M2 or Untapped; writes config.json, metrics.jsonl, checkpoint.safetensors, digits.png, samples.png, curves.png and eval.json.\n\n"
                    + "Example:\n  untapped train --model untapped --preset paper --out runs/untapped"
            );
            foreach (var o in Sw.All)
                Command.Options.Add(o);
            foreach (var o in new Option[] { Backend, Threads, Data, _out, _resume, Every, EvalEvery, SelfCheck })
                Command.Options.Add(o);
            Command.SetAction(p =>
            {
                var (opts, schedule, resume) = Resolve(p);
                Train(opts, schedule, resume, p.GetValue(Threads), p.GetValue(SelfCheck), stop);
                return ExitCode.Ok;
            });
        }

        /// <summary>
        /// Trains one run with console progress and prints its evaluation (also each trial of a sweep).
        /// </summary>
        public static void Train(
            RunOptions opts,
            RunSchedule schedule,
            bool resume,
            int threads,
            SelfCheckMode selfCheck,
            CancellationToken stop
        )
        {
            using var acc = BackendOption.ForTraining(opts.Backend, threads, selfCheck);
            Console.WriteLine(
                $"untapped train: {opts.Model.Kind} ({opts.Preset} preset), {opts.Model.Epochs} epochs, batch {opts.Batch}, seed {opts.Seed}, on {acc.Name}; writing {opts.OutDir}"
            );
            var r = ConsoleObserver.Run(opts.Model.Kind.ToString().ToLowerInvariant(), obs =>
                TrainingSession.Run(opts, acc, resume, schedule, stop, obs)
            );
            PrintEval(r, opts.OutDir);
        }

        /// <summary>The run a parsed `train` command line describes (validated).</summary>
        public (RunOptions Options, RunSchedule Schedule, bool Resume) Resolve(ParseResult p)
        {
            var (model, preset, seed) = (p.GetValue(Sw.Model), p.GetValue(Sw.Preset), p.GetValue(Sw.Seed));
            string dir = p.GetValue(_out)
                ?? Path.Combine(
                    "runs",
                    $"{model.ToString().ToLowerInvariant()}-{preset.ToString().ToLowerInvariant()}-seed{seed}"
                );
            var opts = Sw.Overrides(p)
                .ApplyTo(Placement(p) with { Seed = seed, OutDir = Path.GetFullPath(dir) }, preset, model);
            opts.Validate();
            return (opts, Schedule(p), p.GetValue(_resume));
        }

        /// <summary>The checkpoint and evaluation schedule of a parsed `train` or `experiment` command line.</summary>
        public RunSchedule Schedule(ParseResult p)
        {
            int evalEvery = p.GetValue(EvalEvery);
            if (evalEvery < 0)
            {
                throw new UsageException(
                    $"--eval-every must be 0 (only at the end) or a positive epoch count, got {evalEvery}"
                );
            }

            var schedule = new RunSchedule(CheckpointPolicy.Parse(p.GetValue(Every)!, Every.Name), evalEvery);
            schedule.Validate();
            return schedule;
        }
    }
}
