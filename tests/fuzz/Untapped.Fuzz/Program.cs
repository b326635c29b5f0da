using SharpFuzz;

namespace Untapped.Fuzz;

/// <summary>
/// `Untapped.Fuzz TARGET`: the afl++ loop of one target through SharpFuzz (input on stdin; run once when not under
/// afl-fuzz). `Untapped.Fuzz TARGET --replay FILE...`: runs each file once and reports the findings (exit 1 if any).
/// `Untapped.Fuzz --write-corpus DIR STUDY` writes the seed corpus (<see cref="Corpus"/>).
/// Each input runs in a fresh scratch folder under $UNTAPPED_FUZZ_TMP (default /dev/shm, else the temp folder).
/// </summary>
static class Program
{
    static int Main(string[] args)
    {
        if (args is ["--write-corpus", var dir, var study])
        {
            Corpus.Write(dir, study);
            return 0;
        }
        if (args.Length < 1 || !FuzzTargets.All.ContainsKey(args[0]))
        {
            Console.Error.WriteLine(
                $"usage: Untapped.Fuzz TARGET [--replay FILE...]; targets: {string.Join(", ", FuzzTargets.All.Keys)}"
            );
            return 2;
        }
        string target = args[0];
        string root =
            Environment.GetEnvironmentVariable("UNTAPPED_FUZZ_TMP") is { Length: > 0 } t ? t
            : Directory.Exists("/dev/shm") ? "/dev/shm"
            : Path.GetTempPath();
        string work = Path.Combine(root, $"untapped-fuzz-{target}-{Environment.ProcessId}");
        void Once(byte[] input)
        {
            if (Directory.Exists(work))
                Directory.Delete(work, recursive: true);
            Directory.CreateDirectory(work);
            FuzzTargets.Run(target, input, work);
        }
        if (args.Length > 1 && args[1] == "--replay")
        {
            int findings = 0;
            foreach (var file in args.Skip(2))
            {
                try
                {
                    Once(File.ReadAllBytes(file));
                    Console.WriteLine($"ok      {file}");
                }
                catch (Exception e)
                {
                    findings++;
                    Console.WriteLine($"FINDING {file}: {e.GetType().Name}: {e.Message}");
                }
            }
            return findings == 0 ? 0 : 1;
        }
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            Once(ms.ToArray());
        });
        return 0;
    }
}
