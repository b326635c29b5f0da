namespace Untapped.Cli;

// `untapped predict`: what a run computes, for checking a port of it.
static partial class Commands
{
    static Command Predict()
    {
        var run = RunOption();
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
}
