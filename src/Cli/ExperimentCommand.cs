using Untapped.Training.Experiments;
using Untapped.Training.Storage;

namespace Untapped.Cli;

/// <summary>
/// `untapped experiment`: parses a sweep and hands its trials to <see cref="SweepRunner"/>. Each trial's run is what
/// `untapped train ... --resume` would resolve into its own directory under --out: the same typed overrides (<see
/// cref="RunOverrides"/>) on the same preset, every value parsed by train's own option; `--trial i` runs one (a Slurm
/// array task), no --trial runs what is left in order. `slurm` writes the array script; `report` aggregates.
/// </summary>
static partial class Commands
{
    internal sealed class SweepOptions
    {
        public readonly TrainCommand Train = new();
        public readonly Option<string> Models = Opt(
            "--models",
            "Models, comma-separated: m2, untapped",
            "m2,untapped",
            true
        );
        public readonly Option<string> Presets = Opt(
            "--presets",
            "Presets, comma-separated: paper, original",
            "paper",
            true
        );
        public readonly Option<string> Seeds = Opt(
            "--seeds",
            "Seeds: a list and/or ranges, e.g. 1-10 or 1,3,5",
            "1-3",
            true
        );
        public readonly Option<string[]> Vary = new("--vary")
        {
            Description =
                "A switch to vary, with its values (repeatable; each is one axis of the cross product), e.g. --vary x-tilde-grad=none,relaxed",
            DefaultValueFactory = _ => [],
        };
        public readonly Option<string> Out = Opt(
            "--out",
            "Folder of the sweep: one run directory per trial, results.md and results.json",
            "runs/experiment",
            true
        );

        // Options handed to every trial's `train` as given (the model's switches (docs/model.md), sizes, backend, data,
        // checkpointing).
        public IEnumerable<Option> Forwarded =>
            Train
                .Sw.All.Where(o => !IsTrialAxis(o))
                .Concat([Backend, Threads, Data, Train.Every, Train.EvalEvery, Train.SelfCheck]);

        bool IsTrialAxis(Option o) => o == Train.Sw.Model || o == Train.Sw.Preset || o == Train.Sw.Seed;

        /// <summary>Switch names --vary accepts: every train switch but the sweep's own axes.</summary>
        public IReadOnlyCollection<string> VaryNames =>
            Train.Sw.All.Where(o => !IsTrialAxis(o)).Select(o => o.Name.TrimStart('-')).ToArray();

        public void AddTo(Command c)
        {
            foreach (var o in new Option[] { Models, Presets, Seeds, Vary, Out }.Concat(Forwarded))
                c.Options.Add(o);
        }

        public Sweep Sweep(ParseResult p)
        {
            var vary = p.GetValue(Vary)!.Select(v => SweepText.ParseVary(v, VaryNames)).ToList();
            foreach (var g in vary.GroupBy(v => v.Switch).Where(g => g.Count() > 1))
                throw new UsageException($"--vary {g.Key} is given twice; list all its values in one --vary");
            foreach (var (sw, _) in vary)
            {
                if (p.GetResult(Forwarded.First(o => o.Name == "--" + sw)) is { Implicit: false })
                    throw new UsageException($"--{sw} is both fixed and varied; drop one of them");
            }

            return new Sweep(
                SweepText.ParseList<ModelKind>("--models", p.GetValue(Models)!),
                SweepText.ParseList<Preset>("--presets", p.GetValue(Presets)!),
                SweepText.ParseSeeds(p.GetValue(Seeds)!),
                [
                    .. vary.Select(v =>
                        (
                            v.Switch,
                            (IReadOnlyList<(string, RunOverrides)>)
                                [.. v.Values.Select(x => (x, Switches.Parse(v.Switch, x)))]
                        )
                    ),
                ]
            );
        }

        /// <summary>
        /// The tokens of the options the user gave that every trial shares, as typed (for the Slurm script).
        /// </summary>
        public List<string> SharedTokens(ParseResult p)
        {
            var t = new List<string>();
            foreach (var o in Forwarded)
            {
                if (p.GetResult(o) is { Implicit: false } r)
                {
                    t.Add(o.Name);
                    t.AddRange(r.Tokens.Select(x => x.Value));
                }
            }

            return t;
        }

        public string OutDir(ParseResult p) => Path.GetFullPath(p.GetValue(Out)!);

        /// <summary>
        /// The run of trial <paramref name="t"/>: the shared options, then its own (checked here, before any run).
        /// </summary>
        public RunOptions TrialRun(ParseResult p, Trial t)
        {
            try
            {
                return t.Options(Placement(p), Train.Sw.Overrides(p), OutDir(p));
            }
            catch (UsageException e)
            {
                throw new UsageException($"trial {t.Name}: {e.Message}", [.. e.Remedies]);
            }
        }
    }

    static Command Experiment(CancellationToken stop)
    {
        var so = new SweepOptions();
        var trial = Opt<int?>(
            "--trial",
            "Run only trial i (0-based; what a Slurm array task or an indexed Job passes); without it, every trial not yet complete, in order"
        );
        var cmd = new Command(
            "experiment",
            "Run a sweep (models x presets x --vary switches x seeds) as independent, resumable trials, one run directory each.\n\n"
                + "Examples:\n  untapped experiment --seeds 1-10 --epochs 150 --out runs/study\n  untapped experiment --models untapped --vary x-tilde-grad=none,relaxed --seeds 1-5\n"
                + "  untapped experiment slurm --seeds 1-10 --out runs/study      # writes the sbatch array script\n  untapped experiment report --out runs/study                 # results.md, results.json, figures"
        );
        so.AddTo(cmd);
        cmd.Options.Add(trial);
        cmd.SetAction(p =>
        {
            var trials = so.Sweep(p).Trials();
            var runs = trials.Select(t => so.TrialRun(p, t)).ToList();
            int? only = p.GetValue(trial);
            if (only is { } i && (i < 0 || i >= trials.Count))
            {
                throw new UsageException(
                    $"--trial {i} is out of range: this sweep has {trials.Count} trials (0..{trials.Count - 1}); 'untapped experiment list' shows them"
                );
            }

            var todo = (only is { } k ? [k] : Enumerable.Range(0, trials.Count))
                .Select(x => new SweepRunner.TrialRun(x, trials[x], runs[x]))
                .ToList();
            var schedule = so.Train.Schedule(p); // --checkpoint-every and --eval-every are shared by every trial
            var summary = SweepRunner.Run(
                todo,
                trials.Count,
                o =>
                    TrainCommand.Train(
                        o,
                        schedule,
                        resume: true,
                        p.GetValue(Threads),
                        p.GetValue(so.Train.SelfCheck),
                        stop
                    ),
                Console.Out,
                Console.Error
            );
            Console.WriteLine($"{summary}; 'untapped experiment report --out {so.OutDir(p)}' aggregates them");
            return summary.Failed.Count > 0 ? ExitCode.Failed
                : summary.Busy.Count > 0 ? ExitCode.Usage
                : ExitCode.Ok;
        });
        cmd.Subcommands.Add(ExperimentList());
        cmd.Subcommands.Add(ExperimentSlurm());
        cmd.Subcommands.Add(ExperimentReport());
        return cmd;
    }

    static Command ExperimentList()
    {
        var so = new SweepOptions();
        var cmd = new Command(
            "list",
            "List the sweep's trials: index, name, state (complete; started, with the epochs logged so far; not started)."
        );
        so.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var trials = so.Sweep(p).Trials();
            for (int i = 0; i < trials.Count; i++)
            {
                var o = so.TrialRun(p, trials[i]);
                // csharpier-ignore - alignment specifiers: CSharpier spaces them, dotnet format does not
                Console.WriteLine($"{i,4}  {trials[i].Name,-50} {SweepRunner.State(o)}");
            }
            return ExitCode.Ok;
        });
        return cmd;
    }

    static Command ExperimentSlurm()
    {
        var so = new SweepOptions();
        var script = Opt<string?>("--script", "Where to write the sbatch script (default: <out>/sweep.sbatch)");
        var partition = Opt<string?>("--partition", "Slurm partition (sbatch --partition)");
        var time = Opt<string?>("--time", "Time limit per trial (sbatch --time), e.g. 02:00:00");
        var gpus = Opt("--gpus", "GPUs per trial (sbatch --gpus-per-task; 0 for none)", 0, true);
        var cpus = Opt("--cpus", "CPUs per trial (sbatch --cpus-per-task)", 2, true);
        var parallel = Opt<int?>("--max-parallel", "At most this many trials at once (the array's %N throttle)");
        var program = Opt<string?>(
            "--untapped",
            "Command that runs this program on the nodes (default: this executable, by its absolute path)"
        );
        var cmd = new Command(
            "slurm",
            "Write an sbatch job-array script for the sweep (one array task per trial, --requeue-safe through --resume) and print the command that submits it.\n\n"
                + "Example:\n  untapped experiment slurm --seeds 1-10 --epochs 150 --out /scratch/study --gpus 1 --time 01:00:00"
        );
        so.AddTo(cmd);
        foreach (var o in new Option[] { script, partition, time, gpus, cpus, parallel, program })
            cmd.Options.Add(o);
        cmd.SetAction(p =>
        {
            var trials = so.Sweep(p).Trials();
            foreach (var t in trials)
                so.TrialRun(p, t); // every trial's options are checked now, not on the cluster
            so.Train.Schedule(p);
            if (p.GetValue(gpus) < 0 || p.GetValue(cpus) < 1)
                throw new UsageException("--gpus must be at least 0 and --cpus at least 1");
            if (p.GetValue(parallel) is < 1)
                throw new UsageException("--max-parallel must be at least 1");
            var outDir = so.OutDir(p);
            var file = Path.GetFullPath(p.GetValue(script) ?? Path.Combine(outDir, "sweep.sbatch"));
            string[] self = p.GetValue(program) is { } u ? [u] : SelfCommand();
            string[] argv =
            [
                .. self,
                "experiment",
                "--models",
                p.GetValue(so.Models)!,
                "--presets",
                p.GetValue(so.Presets)!,
                "--seeds",
                p.GetValue(so.Seeds)!,
                .. p.GetValue(so.Vary)!.SelectMany(v => new[] { "--vary", v }),
                "--out",
                outDir,
                .. so.SharedTokens(p),
                // The CPU backend's threads default to every core of the node; a task owns only its --cpus.
                .. p.GetResult(Threads) is { Implicit: false }
                    ? Array.Empty<string>()
                    : ["--threads", p.GetValue(cpus).ToString(System.Globalization.CultureInfo.InvariantCulture)],
            ];
            var text = SlurmScript.Render(
                new SlurmScript.Job(
                    trials.Count,
                    Path.Combine(outDir, "slurm"),
                    p.GetValue(partition),
                    p.GetValue(time),
                    p.GetValue(gpus),
                    p.GetValue(cpus),
                    p.GetValue(parallel)
                ),
                argv
            );
            Directory.CreateDirectory(Path.Combine(outDir, "slurm"));
            AtomicFile.WriteText(file, text);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(file, File.GetUnixFileMode(file) | UnixFileMode.UserExecute);
            Console.WriteLine($"wrote {file}: {trials.Count} array tasks, one per trial");
            Console.WriteLine($"submit with:\n  sbatch {file}");
            return ExitCode.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// How to start this program again: its own executable, or `dotnet untapped.dll` when run through the dotnet host.
    /// </summary>
    static string[] SelfCommand()
    {
        var exe = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(exe) == "untapped" ? [exe] : ["dotnet", typeof(App).Assembly.Location];
    }

    static Command ExperimentReport()
    {
        var outDir = Opt(
            "--out",
            "Folder of the sweep (every subfolder holding eval.json is a trial)",
            "runs/experiment",
            true
        );
        var cmd = new Command(
            "report",
            "Aggregate every finished trial under --out into results.md, results.json, ce_by_group.png and (for trials that logged the reverse ELBO's parts) reverse_by_group.png: per group mean, std and 95 % bootstrap CI of "
                + "held-out cross-entropy and accuracy, distinct digits, paired Untapped-vs-M2 (and ablation-vs-baseline) comparisons by seed (exact sign-flip p and the CI that inverts it).\n\nExample:\n  untapped experiment report --out runs/study"
        )
        {
            outDir,
        };
        cmd.SetAction(p =>
        {
            var dir = Path.GetFullPath(p.GetValue(outDir)!);
            var report = SweepReport.Build(dir);
            report.Write(dir);
            Console.WriteLine(report.Markdown);
            string reverse = string.Concat(
                new[] { ReverseFigure.File, HeldOutFigure.File }
                    .Where(f => File.Exists(Path.Combine(dir, f)))
                    .Select(f => $", {f}")
            );
            Console.WriteLine(
                $"wrote {Path.Combine(dir, SweepReport.MarkdownFile)}, {SweepReport.JsonFile}, {SweepReport.FigureFile}{reverse}"
            );
            return ExitCode.Ok;
        });
        return cmd;
    }
}
