namespace Untapped.Cli;

/// <summary>
/// Progress of a run: a live bar (epoch, step, loss, samples/s) on an interactive terminal; one line per
/// epoch when the output is redirected (CI logs), so long runs always show they are alive.
/// </summary>
sealed class ConsoleObserver : ITrainingObserver
{
    readonly ProgressContext? _ctx;
    ProgressTask? _task;
    readonly string _tag;
    string _speed = "";

    public ConsoleObserver(ProgressContext? ctx, string tag)
    {
        _ctx = ctx;
        _tag = tag;
    }

    public void Phase(string what)
    {
        if (_ctx is null)
            Console.WriteLine($"[{_tag}] {what}");
        else if (_task is not null)
            _task.Description = $"{_tag}: {Markup.Escape(what)}";
    }

    public void Step(int epoch, int epochs, int step, int steps, float loss)
    {
        if (_ctx is null)
            return;
        _task ??= _ctx.AddTask(_tag, maxValue: (double)epochs * steps);
        _task.Value = (double)(epoch - 1) * steps + step;
        _task.Description = $"{_tag} epoch {epoch}/{epochs} step {step}/{steps} loss {loss:F3}{_speed}";
    }

    public void Epoch(EpochMetrics m, int epochs)
    {
        _speed = $" | {m.SamplesPerSecond:N0} samples/s";
        if (_ctx is null)
        {
            Console.WriteLine(
                $"[{_tag}] epoch {m.Epoch}/{epochs} loss {m.Losses["total"]:F4} ({string.Join(", ", m.Losses.Where(kv => kv.Key != "total").Select(kv => $"{kv.Key} {kv.Value:F3}"))}) {m.StepMs:F0} ms/step {m.SamplesPerSecond:N0} samples/s"
            );
        }

        if (m.HeldOut is { } h)
        {
            string line =
                $"epoch {m.Epoch}: held-out cross-entropy {h.Ce:F3}, accuracy {h.Accuracy:P1}, distinct digits {h.DistinctDigits}/10, entropy of q(y|x) {h.Entropy:F3}";
            if (_ctx is null)
                Console.WriteLine($"[{_tag}] {line}");
            else
                AnsiConsole.MarkupLine(Markup.Escape(line));
        }
    }

    /// <summary>Runs <paramref name="work"/> under a progress display suited to the console.</summary>
    public static T Run<T>(string tag, Func<ITrainingObserver, T> work)
    {
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return work(new ConsoleObserver(null, tag));
        T result = default!;
        AnsiConsole
            .Progress()
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn()
            )
            .Start(ctx => result = work(new ConsoleObserver(ctx, tag)));
        return result;
    }
}
