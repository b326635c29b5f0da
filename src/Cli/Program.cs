using Untapped.Graph;
using Untapped.Training.Storage;

namespace Untapped.Cli;

/// <summary>
/// The `untapped` program: parses, runs a command, and turns each kind of failure into its exit code.
/// </summary>
public static class App
{
    public static int Main(string[] args) => Run(args);

    public static int Run(string[] args)
    {
        using var stop = new StopSignal();
        var parse = Commands.Root(stop.Token).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
                Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine("Run 'untapped --help' (or 'untapped <command> --help') for the valid options.");
            return ExitCode.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            return Fail(ExitCode.Usage, RemedyText.Message(e));
        }
        catch (BackendUnavailableException e)
        {
            return Fail(ExitCode.Usage, e.Message);
        }
        catch (TrainingStoppedException e)
        {
            Console.Error.WriteLine(RemedyText.Message(e));
            return ExitCode.Stopped;
        }
        catch (Exception e) when (RunFailure.Is(e))
        {
            return Fail(ExitCode.Failed, RemedyText.Message(e, RunFailure.Describe(e)));
        }
        // Anything else is a defect of this program, not of the command line: say so, with the trace to report.
        catch (Exception e)
        {
            return Fail(ExitCode.Failed, $"internal error ({e.GetType().Name}): {e.Message}\n{e.StackTrace}");
        }
    }

    static int Fail(int code, string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return code;
    }
}
