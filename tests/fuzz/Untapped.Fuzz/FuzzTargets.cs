using System.Text;
using Untapped.Training;
using Untapped.Training.Data;
using Untapped.Training.Experiments;
using Untapped.Training.Model;
using Untapped.Training.Runs;
using Untapped.Training.Storage;

namespace Untapped.Fuzz;

/// <summary>
/// One target per kind of file the program reads from disk: each writes the fuzzer's bytes where the real reader looks
/// and calls it. The documented outcomes are a valid result or a typed error that names the file (a
/// <see cref="DataFormatException"/> or <see cref="CheckpointException"/>: exit 1; a <see cref="UsageException"/>:
/// exit 2); anything else escaping is a finding, and so is an accepted error that does not name its file.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The targets by name: the four MNIST IDX files, checkpoint.safetensors, config.json, metrics.jsonl,
    /// eval.json, the holder file, and a sweep's trial files as `experiment report` reads them.</summary>
    public static readonly IReadOnlyDictionary<string, Action<byte[], string>> All = new Dictionary<
        string,
        Action<byte[], string>
    >
    {
        ["idx"] = Idx,
        ["safetensors"] = SafetensorsFile,
        ["config"] = Config,
        ["metrics"] = Metrics,
        ["eval"] = Eval,
        ["holder"] = Holder,
        ["report"] = Report,
    };

    /// <summary>Separates the three files of a trial in one input of the report target.</summary>
    public const byte FileSeparator = 0x1E;

    /// <summary>
    /// Runs target <paramref name="name"/> on <paramref name="input"/> inside the scratch folder <paramref
    /// name="work"/>; throws on a finding.
    /// </summary>
    public static void Run(string name, byte[] input, string work)
    {
        try
        {
            All[name](input, work);
        }
        catch (Exception e) when (e is DataFormatException or CheckpointException or UsageException)
        {
            if (!e.Message.Contains(work, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"finding: {name}: the error does not name the file: {e.Message}",
                    e
                );
            }
        }
    }

    static string Put(string work, string relative, byte[] bytes)
    {
        var path = Path.Combine(work, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // An images file (3 dimensions) and a labels file (1), gzipped or raw: Idx.Read detects gzip by its magic.
    static void Idx(byte[] input, string work)
    {
        var path = Put(work, "train-images-idx3-ubyte", input);
        Training.Data.Idx.Read(path, 3);
        Training.Data.Idx.Read(path, 1);
    }

    // The file as `--resume` and `evaluate` read it: the safetensors container, the model's layout, the training state.
    static void SafetensorsFile(byte[] input, string work)
    {
        var path = Put(work, RunDirectory.CheckpointFile, input);
        var (_, meta) = Safetensors.Read(path);
        TrainingState.FromMetadata(path, meta);
        Checkpoint.Load(path, Networks.ParameterLayout());
    }

    // config.json as a resume reads it: parsed, validated, fingerprinted and compared with the options asked for.
    static void Config(byte[] input, string work)
    {
        Put(work, RunDirectory.ConfigFile, input);
        var o = RunDirectory.LoadOptions(work);
        WithFile(Path.Combine(work, RunDirectory.ConfigFile), () =>
        {
            o.Validate();
            o.Fingerprint();
            o.DifferencesFrom(new RunOptions());
        });
    }

    static void Metrics(byte[] input, string work) => MetricsJsonl.Read(Put(work, RunDirectory.MetricsFile, input));

    static void Eval(byte[] input, string work) => EvalJson.Read(Put(work, RunDirectory.EvalFile, input));

    // The holder file never fails a command: an unreadable one is "another process holds the lock".
    static void Holder(byte[] input, string work) => LockHolder.Read(Put(work, ".holder.json", input))?.ToString();

    // One trial folder of a sweep: config.json, eval.json and metrics.jsonl, separated by FileSeparator in the input.
    static void Report(byte[] input, string work)
    {
        var parts = Split(input);
        var trial = Path.Combine(work, "trial");
        string[] names = [RunDirectory.ConfigFile, RunDirectory.EvalFile, RunDirectory.MetricsFile];
        for (int i = 0; i < names.Length && i < parts.Count; i++)
            Put(trial, names[i], parts[i]);
        SweepReport.Build(work);
    }

    static List<byte[]> Split(byte[] input)
    {
        var parts = new List<byte[]>();
        int start = 0;
        for (int i = 0; i <= input.Length; i++)
        {
            if (i == input.Length || input[i] == FileSeparator)
            {
                parts.Add(input[start..i]);
                start = i + 1;
            }
        }

        return parts;
    }

    // A validation error of a file's contents names the file it came from.
    static void WithFile(string file, Action a)
    {
        try
        {
            a();
        }
        catch (UsageException e) when (!e.Message.Contains(file, StringComparison.Ordinal))
        {
            throw new UsageException($"{file}: {e.Message}");
        }
    }

    /// <summary>The report target's input for a trial's three files.</summary>
    public static byte[] Join(params byte[][] files)
    {
        var ms = new MemoryStream();
        for (int i = 0; i < files.Length; i++)
        {
            if (i > 0)
                ms.WriteByte(FileSeparator);
            ms.Write(files[i]);
        }
        return ms.ToArray();
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
