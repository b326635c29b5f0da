using System.IO.Compression;
using Untapped.Training;
using Untapped.Training.Runs;
using Untapped.Training.Storage;

namespace Untapped.Fuzz;

/// <summary>
/// The seed corpus of every target (`Untapped.Fuzz --write-corpus DIR`), written by the project's own writers and taken
/// from the committed study's real files: MNIST IDX headers with a few images (raw and gzipped), a small
/// checkpoint with its training state, config.json, eval.json, metrics.jsonl, the holder file and a trial folder.
/// </summary>
static class Corpus
{
    public static void Write(string dir, string study)
    {
        void Seed(string target, string name, byte[] bytes)
        {
            Directory.CreateDirectory(Path.Combine(dir, target));
            File.WriteAllBytes(Path.Combine(dir, target, name), bytes);
        }
        byte[] images = Idx(0x0803, [3, 28, 28], [.. Enumerable.Range(0, 3 * 784).Select(i => (byte)(i * 7 % 256))]);
        byte[] labels = Idx(0x0801, [3], [4, 0, 9]);
        Seed("idx", "images", images);
        Seed("idx", "labels", labels);
        Seed("idx", "labels.gz", Gzip(labels));
        Seed("idx", "images.gz", Gzip(images));

        var state = new TrainingState(7, [1.5, -2.25, 3e-7], "0123abcd");
        Seed(
            "safetensors",
            "state",
            Safetensors.Encode(
                [
                    new("classifier.out.b", [10], [.. Enumerable.Range(0, 10).Select(i => i * 0.5f)]),
                    new("adam.m.classifier.out.b", [10], new float[10]),
                    new("decoder.l0.w", [2, 3], [1, 2, 3, 4, 5, 6]),
                ],
                state.ToMetadata()
            )
        );
        Seed("safetensors", "plain", Safetensors.Encode([new("x", [1], [1f])]));

        var trial = Path.Combine(study, "untapped-paper-seed1");
        byte[] config = File.ReadAllBytes(Path.Combine(trial, RunDirectory.ConfigFile));
        byte[] eval = File.ReadAllBytes(Path.Combine(trial, RunDirectory.EvalFile));
        var lines = File.ReadLines(Path.Combine(trial, RunDirectory.MetricsFile)).Take(3).ToList();
        byte[] metrics = FuzzTargets.Utf8(string.Join("\n", lines) + "\n");
        Seed("config", "study", config);
        Seed(
            "config",
            "defaults",
            FuzzTargets.Utf8(System.Text.Json.JsonSerializer.Serialize(new RunOptions(), RunOptions.Json))
        );
        Seed("eval", "study", eval);
        Seed("metrics", "study", metrics);
        Seed(
            "metrics",
            "heldout",
            FuzzTargets.Utf8(
                MetricsJsonl.Format(
                    new EpochMetrics(
                        20,
                        0.01,
                        new Dictionary<string, double> { ["total"] = 2.5 },
                        1,
                        2,
                        3,
                        new HeldOutMetrics(1.5, 0.25, 8, [0, 1, 2, 3, 4, 6, 5, 7, 9, 8], 0.5)
                    )
                ) + "\n"
            )
        );
        Seed(
            "holder",
            "holder",
            FuzzTargets.Utf8(new LockHolder(4242, "node17", DateTimeOffset.UnixEpoch, "train --out runs/x").ToJson())
        );
        Seed("report", "trial", FuzzTargets.Join(config, eval, metrics));
    }

    static byte[] Idx(int magic, int[] sizes, byte[] data)
    {
        var ms = new MemoryStream();
        void Be(int v)
        {
            ms.WriteByte((byte)(v >> 24));
            ms.WriteByte((byte)(v >> 16));
            ms.WriteByte((byte)(v >> 8));
            ms.WriteByte((byte)v);
        }
        Be(magic);
        foreach (var s in sizes)
            Be(s);
        ms.Write(data);
        return ms.ToArray();
    }

    static byte[] Gzip(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
            gz.Write(raw);
        return ms.ToArray();
    }
}
