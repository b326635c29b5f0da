using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Training;
using Untapped.Training.Checks;
using Untapped.Training.Data;
using Untapped.Training.Evaluation;
using Untapped.Training.Model;
using Untapped.Training.Reports;
using Untapped.Training.Runs;

namespace Untapped.Cli;

/// <summary>The `untapped` command tree.</summary>
static partial class Commands
{
    static Option<T> Opt<T>(string name, string description, T? defaultValue = default, bool hasDefault = false)
    {
        var o = new Option<T>(name) { Description = description };
        if (hasDefault)
            o.DefaultValueFactory = _ => defaultValue!;
        return o;
    }

    static readonly Option<string> Backend = Opt(
        "--backend",
        "Compute backend: auto (CUDA, else an OpenCL GPU, else the managed CPU), cuda, opencl, ilgpu-cpu (ILGPU's CPU accelerator: the device kernels on CPU threads, for testing), cpu",
        "auto",
        true
    );
    static readonly Option<int> Threads = Opt("--threads", "CPU backend worker threads (0 = every core)", 0, true);

    static readonly Option<string?> Data = Opt<string?>(
        "--data",
        "Folder with the four MNIST IDX files, gzipped or not [default: the embedded data/mnist]"
    );

    /// <summary>
    /// The command tree; <paramref name="stop"/> fires on SIGTERM / SIGINT (<see cref="StopSignal"/>).
    /// </summary>
    public static RootCommand Root(CancellationToken stop = default)
    {
        var root = new RootCommand(
            "Untapped.Gpu: train and evaluate the Untapped / M2 semi-supervised VAE on MNIST.\n\n"
                + "Example:\n  untapped train --model untapped --preset paper --epochs 150 --out runs/untapped\n  untapped experiment --seeds 1-3 --epochs 50"
        );
        root.Subcommands.Add(new TrainCommand(stop).Command);
        root.Subcommands.Add(Evaluate());
        root.Subcommands.Add(Grid());
        root.Subcommands.Add(Experiment(stop));
        root.Subcommands.Add(Predict());
        root.Subcommands.Add(Export());
        root.Subcommands.Add(Devices());
        return root;
    }

    // Every switch of docs/model.md, each overriding the preset only when given.
    internal sealed class Switches
    {
        // " (default: the preset's; paper X, original Y)", read from the presets themselves.
        static string ByPreset(Func<ModelConfig, object> value)
        {
            string V(Training.Model.Preset p)
            {
                object v = value(ModelConfig.For(p, ModelKind.Untapped));
                string text =
                    v is bool b ? (b ? "true" : "false")
                    : v is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture)
                    : v.ToString()!;
                return text.ToLowerInvariant();
            }
            var (paper, original) = (V(Training.Model.Preset.Paper), V(Training.Model.Preset.Original));
            return paper == original
                ? $" [default: {paper}]"
                : $" [default: the preset's: paper {paper}, original {original}]";
        }

        public readonly Option<ModelKind> Model = Opt("--model", "untapped or m2", ModelKind.Untapped, true);
        public readonly Option<Preset> Preset = Opt(
            "--preset",
            "paper (the paper's settings, 150 epochs) or original (the authors' code, 1000 epochs)",
            Training.Model.Preset.Paper,
            true
        );
        public readonly Option<int?> Epochs = Opt<int?>("--epochs", "Epochs" + ByPreset(c => c.Epochs));
        public readonly Option<int> Batch = Opt("--batch", "Rows per stream per step", 10_000, true);
        public readonly Option<ulong> Seed = Opt("--seed", "Seed of every random draw", 1UL, true);
        public readonly Option<UnfeaturedZ?> UnfeaturedZ = Opt<UnfeaturedZ?>(
            "--unfeatured-z",
            "fixed (10 z drawn once) or resample (fresh z per row per step)" + ByPreset(c => c.UnfeaturedZ)
        );
        public readonly Option<Kernels.LogDetForm?> LogDet = Opt<Kernels.LogDetForm?>(
            "--logdet",
            "original (log(1e-5 + prod)) or exact" + ByPreset(c => c.LogDet)
        );
        public readonly Option<ZBox?> ZBox = Opt<ZBox?>(
            "--z-box",
            "original (-pi/2, pi/2) or paper (-1.5, 1.5)" + ByPreset(c => c.ZBox)
        );
        public readonly Option<Kernels.BernoulliForm?> Bernoulli = Opt<Kernels.BernoulliForm?>(
            "--bernoulli",
            "original (clipped mean) or exact (softplus form)" + ByPreset(c => c.Bernoulli)
        );
        public readonly Option<ClassifyOn?> ClassifyOn = Opt<ClassifyOn?>(
            "--classify-on",
            "sample (Gumbel-softmax sample) or probs (softmax)" + ByPreset(c => c.ClassifyOn)
        );
        public readonly Option<XTildeGrad?> XTildeGrad = Opt<XTildeGrad?>(
            "--x-tilde-grad",
            "none (hard sample) or relaxed (relaxed Bernoulli)" + ByPreset(c => c.XTildeGrad)
        );
        public readonly Option<bool?> ReverseQz = Opt<bool?>(
            "--reverse-qz",
            "true adds -log q(z_u | x~, y_u) to the reverse ELBO" + ByPreset(c => c.ReverseQz)
        );
        public readonly Option<ReverseLogPGrad?> ReverseLogPGrad = Opt<ReverseLogPGrad?>(
            "--reverse-logp-grad",
            "full (the paper's objective) or none: log p(x~ | y_u, z_u) in the reverse ELBO counts in the loss but sends no gradient"
                + ByPreset(c => c.ReverseLogPGrad)
        );
        public readonly Option<ClipMode?> Clip = Opt<ClipMode?>(
            "--clip",
            "original (global norm 5, then [-1,1]) or paper ([-1,1] only)" + ByPreset(c => c.Clip)
        );
        public readonly Option<float?> Tau = Opt<float?>(
            "--tau",
            "Gumbel-softmax / Concrete temperature" + ByPreset(c => c.Tau)
        );
        public readonly Option<double?> Lr = Opt<double?>("--lr", "Learning rate" + ByPreset(c => c.LearningRate));
        public readonly Option<int> Unlabelled = Opt(
            "--unlabelled",
            "Images drawn for the unlabelled stream",
            ExperimentData.UnlabelledCount,
            true
        );

        public IEnumerable<Option> All =>
            [
                Model,
                Preset,
                Epochs,
                Batch,
                Seed,
                UnfeaturedZ,
                LogDet,
                ZBox,
                Bernoulli,
                ClassifyOn,
                XTildeGrad,
                ReverseQz,
                ReverseLogPGrad,
                Clip,
                Tau,
                Lr,
                Unlabelled,
            ];

        /// <summary>The switches given on this command line (the preset's values stand for the rest).</summary>
        public RunOverrides Overrides(ParseResult p) =>
            new()
            {
                Epochs = p.GetValue(Epochs),
                UnfeaturedZ = p.GetValue(UnfeaturedZ),
                LogDet = p.GetValue(LogDet),
                ZBox = p.GetValue(ZBox),
                Bernoulli = p.GetValue(Bernoulli),
                ClassifyOn = p.GetValue(ClassifyOn),
                XTildeGrad = p.GetValue(XTildeGrad),
                ReverseQz = p.GetValue(ReverseQz),
                ReverseLogPGrad = p.GetValue(ReverseLogPGrad),
                Clip = p.GetValue(Clip),
                Tau = p.GetValue(Tau),
                LearningRate = p.GetValue(Lr),
                Batch = p.GetResult(Batch) is { Implicit: false } ? p.GetValue(Batch) : null,
                UnlabelledCount = p.GetResult(Unlabelled) is { Implicit: false } ? p.GetValue(Unlabelled) : null,
            };

        /// <summary>
        /// One value of one switch, as its option parses it (a --vary value), typed: the overrides holding it alone.
        /// </summary>
        public static RunOverrides Parse(string name, string value)
        {
            var sw = new Switches();
            var option = sw.All.Single(o => o.Name == "--" + name);
            var parse = new RootCommand { option }.Parse([option.Name, value]);
            if (parse.Errors.Count > 0)
                throw new UsageException($"--{name} {value}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
            return sw.Overrides(parse);
        }
    }

    /// <summary>
    /// The backend and data folder a run takes from its command line (train's and the sweep's options).
    /// </summary>
    static RunOptions Placement(ParseResult p) =>
        new() { Backend = p.GetValue(Backend)!, DataDir = Path.GetFullPath(p.GetValue(Data) ?? Mnist.DefaultFolder()) };

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

    static void PrintEval(EvalResult r, string dir)
    {
        Console.WriteLine(
            $"held-out (5-9) cross-entropy {r.CeHeldout:F3}, accuracy {r.AccHeldout:P1}; labelled accuracy {r.AccLabelled:P1}; "
                + $"distinct digits {r.DistinctDigits}/10; permutation [{string.Join(",", r.Permutation)}]; reference classifier {r.ReferenceClassifierAcc:P1}"
        );
        Console.WriteLine(
            $"wrote {Path.Combine(dir, RunDirectory.EvalFile)}, {RunDirectory.DigitsFile}, {RunDirectory.SamplesFile}, {RunDirectory.CurvesFile}"
        );
    }

    static Command Evaluate()
    {
        var run = new Option<string>("--run") { Description = "Run directory", Required = true };
        var cmd = new Command(
            "evaluate",
            "Re-evaluate a run's checkpoint (eval.json, digits.png, samples.png).\n\nExample:\n  untapped evaluate --run runs/untapped"
        )
        {
            run,
            Backend,
            Threads,
            Data,
        };
        cmd.SetAction(p =>
        {
            using var acc = BackendNames.Create(p.GetValue(Backend)!, p.GetValue(Threads));
            var dir = p.GetValue(run)!;
            var r = ConsoleObserver.Run("evaluate", obs => RunReports.Evaluate(dir, acc, p.GetValue(Data), obs));
            PrintEval(r, dir);
            return ExitCode.Ok;
        });
        return cmd;
    }

    static Command Grid()
    {
        var run = new Option<string>("--run") { Description = "Run directory", Required = true };
        var kind = Opt(
            "--kind",
            "digits (paper Figure 2) or samples (rows = label, columns = z sweep)",
            RunReports.GridKind.Digits,
            true
        );
        var output = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var cmd = new Command(
            "grid",
            "Export an image grid from a run's checkpoint.\n\nExample:\n  untapped grid --run runs/untapped --kind samples --out samples.png"
        )
        {
            run,
            kind,
            output,
            Backend,
            Threads,
            Data,
        };
        cmd.SetAction(p =>
        {
            if (!p.GetValue(output)!.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"--out must name a .png file, got '{p.GetValue(output)}'");
            using var acc = BackendNames.Create(p.GetValue(Backend)!, p.GetValue(Threads));
            RunReports.WriteGrid(p.GetValue(run)!, p.GetValue(kind), p.GetValue(output)!, acc, p.GetValue(Data));
            Console.WriteLine($"wrote {p.GetValue(output)}");
            return ExitCode.Ok;
        });
        return cmd;
    }

    static Command Predict()
    {
        var run = new Option<string>("--run") { Description = "Run directory", Required = true };
        var count = Opt("--count", "How many images (the first of the data, training file first) to classify", 8, true);
        var output = Opt<string?>("--out", "JSON file to write (default: print it)");
        var cmd = new Command(
            "predict",
            "Print (or write) what a run computes, for checking a port of it: the ten one-hot labels decoded at the run's z-bar into pixel means, and q(y|x)'s logits for the first --count images. "
                + "examples/python/decode_digits.py computes the same with numpy alone.\n\nExample:\n  untapped predict --run runs/untapped --count 8 --out predictions.json"
        )
        {
            run,
            count,
            output,
            Backend,
            Threads,
            Data,
        };
        cmd.SetAction(p =>
        {
            if (p.GetValue(count) < 0)
                throw new UsageException($"--count must be at least 0, got {p.GetValue(count)}");
            using var acc = BackendNames.Create(p.GetValue(Backend)!, p.GetValue(Threads));
            var json = Training
                .Export.Prediction.Of(p.GetValue(run)!, acc, p.GetValue(count), p.GetValue(Data))
                .ToJson();
            if (p.GetValue(output) is { } file)
            {
                Training.Storage.AtomicFile.WriteText(file, json);
                Console.WriteLine($"wrote {file}");
            }
            else
            {
                Console.WriteLine(json);
            }

            return ExitCode.Ok;
        });
        return cmd;
    }

    static Command Export()
    {
        var run = new Option<string>("--run") { Description = "Run directory", Required = true };
        var onnx = new Option<string>("--onnx")
        {
            Description = "Folder to write decoder.onnx and classifier.onnx into",
            Required = true,
        };
        var cmd = new Command(
            "export",
            $"Export a run's decoder (y [n,10], z [n,2] -> pixel means [n,784]) and classifier (x [n,784] -> logits [n,10]) as ONNX models (opset {Training.Export.OnnxExport.Opset}, batch dimension n dynamic).\n\n"
                + "Example:\n  untapped export --run runs/untapped --onnx runs/untapped/onnx"
        )
        {
            run,
            onnx,
        };
        cmd.SetAction(p =>
        {
            var (dec, clf) = Training.Export.OnnxExport.Write(
                p.GetValue(onnx)!,
                RunReports.LoadParameters(p.GetValue(run)!),
                Version()
            );
            Console.WriteLine($"wrote {dec} and {clf} (ONNX opset {Training.Export.OnnxExport.Opset})");
            return ExitCode.Ok;
        });
        return cmd;
    }

    /// <summary>The build's version and commit, as `untapped --version` prints them.</summary>
    static string Version() =>
        typeof(Commands)
            .Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
            .FirstOrDefault()
            ?.InformationalVersion
        ?? "unknown";

    static Command Devices()
    {
        var check = Opt(
            "--check",
            "Run the self-check on --backend: every catalogue kernel against the managed CPU (assertions on; ILGPU's CPU accelerator with CUDA's geometry), then one training step; prints kernel, output, max abs and rel error, tolerance, pass. Exit 0 when all pass, 1 otherwise",
            false,
            true
        );
        var cmd = new Command(
            "devices",
            "List the compute devices ILGPU sees (CUDA, OpenCL, its CPU accelerator), the managed CPU backend, and every device ILGPU refused, with the reason; --check runs the self-check on one.\n\n"
                + "Examples:\n  untapped devices\n  untapped devices --check --backend ilgpu-cpu"
        )
        {
            check,
            Backend,
            Threads,
        };
        cmd.SetAction(p =>
        {
            if (p.GetValue(check))
                return CheckDevice(p.GetValue(Backend)!, p.GetValue(Threads));
            var t = new Table().AddColumns("backend", "index", "device", "details");
            foreach (var d in Backends.Devices())
            {
                t.AddRow(
                    BackendNames.Name(d.Kind),
                    d.Index.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(d.Name),
                    Markup.Escape(d.Detail)
                );
            }

            AnsiConsole.Write(t);
            foreach (var d in Backends.RefusedDevices())
                Console.WriteLine($"refused: {d.Name} ({d.Detail}): {d.RefusedBecause}");
            foreach (var k in new[] { BackendKind.Cuda, BackendKind.OpenCl })
            {
                if (Backends.Unavailable(k) is { } why)
                    Console.WriteLine($"{BackendNames.Name(k)}: {why}");
            }

            return ExitCode.Ok;
        });
        return cmd;
    }

    // `devices --check`: the self-check the GPU gate runs, on any backend, as a table.
    static int CheckDevice(string backend, int threads)
    {
        var (kind, index) = BackendNames.IsAuto(backend) ? Backends.Best() : (BackendNames.Parse(backend), 0);
        if (Backends.Unavailable(kind) is { } why)
            throw new BackendUnavailableException($"{BackendNames.Name(kind)} backend is not available: {why}");
        using Backend acc =
            kind == BackendKind.Cpu
                ? new Kernels.Cpu.CpuBackend(threads)
                : new Kernels.Ilgpu.IlgpuBackend(
                    kind,
                    index,
                    new Kernels.Ilgpu.IlgpuSettings(Assertions: true, CudaGeometry: kind == BackendKind.IlgpuCpu)
                );
        Console.WriteLine($"self-check of {acc.Name} against the managed CPU (one thread)");
        var r = ConsoleObserver.Run("self-check", obs =>
            SelfCheck.Run(acc, OpCases.At(CaseSize.Test), StepParity.OneStep, progress: name => obs.Phase(name))
        );
        // csharpier-ignore - alignment specifiers: CSharpier spaces them, dotnet format does not
        Console.WriteLine($"{"kernel",-44} {"output",-8} {"max abs err",12} {"max rel err",12} {"atol + rtol",-18} pass");
        foreach (var row in r.Rows)
        {
            // csharpier-ignore - alignment specifiers: CSharpier spaces them, dotnet format does not
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{row.Kernel,-44} {row.Output,-8} {row.MaxAbs,12:G3} {row.MaxRel,12:G3} {$"{row.Atol:G2} + {row.Rtol:G2}",-18} {(row.Pass ? "yes" : "NO: " + row.Problem)}"
                )
            );
        }

        var s = r.StepCheck!;
        // csharpier-ignore - alignment specifiers: CSharpier spaces them, dotnet format does not
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{s.What,-44} {"loss",-8} {s.MaxAbs,12:G3} {s.MaxRel,12:G3} {s.Tolerance,-18} {(s.Pass ? "yes" : "NO: " + s.Problem)}"
            )
        );
        int passed = r.Rows.Count(x => x.Pass);
        Console.WriteLine(
            $"{passed} of {r.Rows.Count} kernel outputs within tolerance, training step {(s.Pass ? "agrees" : "FAILED")} ({r.Elapsed.TotalSeconds:F1} s)"
        );
        if (r.Failure is { } f)
            Console.Error.WriteLine($"error: {f}");
        return r.Pass ? ExitCode.Ok : ExitCode.Failed;
    }
}
