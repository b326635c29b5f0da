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
    static readonly Option<int> Threads = NotNegative(
        Opt("--threads", "CPU backend worker threads (0 = every core)", 0, true),
        "0 (every core) or a positive thread count"
    );

    /// <summary>--run: the run directory a command reads (evaluate, grid, predict, export).</summary>
    static Option<string> RunOption() => new("--run") { Description = "Run directory", Required = true };

    /// <summary>A parse error (exit 2, with --help's hint) when the option's value is negative.</summary>
    static Option<int> NotNegative(Option<int> o, string expected)
    {
        o.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is var v and < 0)
                r.AddError($"{o.Name} must be {expected}, got {v}");
        });
        return o;
    }

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

    /// <summary>
    /// The backend and data folder a run takes from its command line (train's and the sweep's options).
    /// </summary>
    static RunOptions Placement(ParseResult p) =>
        new() { Backend = p.GetValue(Backend)!, DataDir = Path.GetFullPath(p.GetValue(Data) ?? Mnist.DefaultFolder()) };

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

    /// <summary>The build's version and commit, as `untapped --version` prints them.</summary>
    static string Version() =>
        typeof(Commands)
            .Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
            .FirstOrDefault()
            ?.InformationalVersion
        ?? "unknown";
}
