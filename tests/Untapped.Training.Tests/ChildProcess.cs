using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Untapped.Training.Tests;

/// <summary>The real `untapped` CLI as a separate process, so tests can kill and signal it from outside.</summary>
sealed class ChildProcess : IDisposable
{
    readonly Process _p;
    readonly System.Text.StringBuilder _err = new(),
        _out = new();

    ChildProcess(ProcessStartInfo psi)
    {
        psi.UseShellExecute = false;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        _p = Process.Start(psi)!;
        _p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_out)
                    _out.AppendLine(e.Data);
            }
        };
        _p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_err)
                    _err.AppendLine(e.Data);
            }
        };
        _p.BeginOutputReadLine();
        _p.BeginErrorReadLine();
    }

    static string Dll => Path.Combine(AppContext.BaseDirectory, "untapped.dll");

    /// <summary>Starts `dotnet untapped.dll args`.</summary>
    public static ChildProcess Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet");
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        return new ChildProcess(psi);
    }

    /// <summary>Starts `dotnet untapped.dll args` with extra environment variables (JIT switches, say).</summary>
    public static ChildProcess StartWith(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet");
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        foreach (var (k, v) in env)
            psi.Environment[k] = v;
        return new ChildProcess(psi);
    }

    /// <summary>
    /// Starts the CLI under bash after <paramref name="prelude"/> (for example a ulimit), replacing the shell.
    /// </summary>
    public static ChildProcess StartUnder(string prelude, params string[] args)
    {
        var psi = new ProcessStartInfo("bash");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"{prelude}; exec dotnet \"$0\" \"$@\"");
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        return new ChildProcess(psi);
    }

    public bool HasExited => _p.HasExited;
    public int Id => _p.Id;
    public string StdErr
    {
        get
        {
            lock (_err)
                return _err.ToString();
        }
    }
    public string StdOut
    {
        get
        {
            lock (_out)
                return _out.ToString();
        }
    }

    public void Kill()
    {
        try
        {
            _p.Kill();
        }
        catch (InvalidOperationException)
        { /* already gone */
        }
    }

    public void Terminate() =>
        kill(
            _p.Id,
            15 // SIGTERM
        );

    public void Interrupt() =>
        kill(
            _p.Id,
            2 // SIGINT, as Ctrl-C sends
        );

    /// <summary>
    /// Waits for the exit; returns its code (throws when it takes longer than <paramref name="seconds"/>).
    /// </summary>
    public int Wait(int seconds = 180)
    {
        if (!_p.WaitForExit(seconds * 1000))
        {
            Kill();
            throw new TimeoutException($"the CLI did not exit within {seconds} s; stderr: {StdErr}");
        }
        _p.WaitForExit();
        return _p.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        _p.Dispose();
    }

    [DllImport("libc")]
    static extern int kill(int pid, int sig);
}
