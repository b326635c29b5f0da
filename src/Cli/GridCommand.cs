namespace Untapped.Cli;

// `untapped grid`: one image grid from a run's checkpoint.
static partial class Commands
{
    static Command Grid()
    {
        var run = RunOption();
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
}
