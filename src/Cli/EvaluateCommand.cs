namespace Untapped.Cli;

// `untapped evaluate`: re-evaluates a run's checkpoint.
static partial class Commands
{
    static Command Evaluate()
    {
        var run = RunOption();
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
}
