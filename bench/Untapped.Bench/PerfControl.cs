namespace Untapped.Bench;

/// <summary>
/// Turns a <c>perf record --control fifo:CTL,ACK -D -1</c> that runs this process on and off, so that its samples cover
/// only the timed steps (not the JIT, the set-up or the traced step): <c>UNTAPPED_PERF_CONTROL=CTL,ACK</c> names the
/// two fifos (<c>bench/perf_step.sh</c> makes them). Each command waits for perf's "ack", so the first timed step
/// starts with sampling on.
/// </summary>
sealed class PerfControl : IDisposable
{
    readonly StreamWriter _ctl;
    readonly StreamReader _ack;

    PerfControl(string ctl, string ack)
    {
        _ctl = new StreamWriter(new FileStream(ctl, FileMode.Open, FileAccess.Write)) { AutoFlush = true };
        _ack = new StreamReader(new FileStream(ack, FileMode.Open, FileAccess.Read));
    }

    /// <summary>The control of the perf record named by UNTAPPED_PERF_CONTROL, or null when it is not set.</summary>
    public static PerfControl? FromEnvironment()
    {
        var v = Environment.GetEnvironmentVariable("UNTAPPED_PERF_CONTROL");
        if (string.IsNullOrEmpty(v))
            return null;
        var parts = v.Split(',');
        if (parts.Length != 2)
            throw new ArgumentException($"UNTAPPED_PERF_CONTROL is '{v}': it takes two fifos, CTL,ACK");
        return new PerfControl(parts[0], parts[1]);
    }

    public void Enable() => Send("enable");

    public void Disable() => Send("disable");

    void Send(string command)
    {
        _ctl.WriteLine(command);
        var reply = _ack.ReadLine();
        if (reply?.Trim('\0') != "ack") // perf writes "ack\n\0": the NUL starts the next line
            throw new InvalidOperationException($"perf answered '{reply}' to '{command}', not 'ack'");
    }

    public void Dispose()
    {
        _ctl.Dispose();
        _ack.Dispose();
    }
}
