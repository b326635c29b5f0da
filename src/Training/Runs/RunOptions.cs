using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Untapped.Training.Model;

namespace Untapped.Training.Runs;

/// <summary>Everything a training run needs besides the accelerator; written to config.json, resolved.</summary>
public sealed record RunOptions
{
    public ModelConfig Model { get; init; } = new();
    public Preset Preset { get; init; } = Preset.Paper;
    public int Batch { get; init; } = 10_000;
    public ulong Seed { get; init; } = 1;
    public string Backend { get; init; } = "auto";
    public string DataDir { get; init; } = "";
    public string OutDir { get; init; } = "";

    /// <summary>Size of the unlabelled draw (docs/model.md §1: 20,000); smaller only for quick tests.</summary>
    public int UnlabelledCount { get; init; } = Data.ExperimentData.UnlabelledCount;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    // What may change across a resume: the paths, the backend (identical maths, other rounding only on other
    // hardware) and the epoch count (a run may be extended).
    RunOptions Fixed() => this with { OutDir = "", DataDir = "", Backend = "", Model = Model with { Epochs = 0 } };

    /// <summary>A hash of the settings that must not change across a resume.</summary>
    public string Fingerprint() =>
        Convert.ToHexStringLower(
            System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(Fixed(), Json))
        );

    /// <summary>
    /// "name: theirs -> ours" for every setting that must not change across a resume and differs, by config.json name.
    /// </summary>
    public IReadOnlyList<string> DifferencesFrom(RunOptions other)
    {
        var a = Flatten(JsonSerializer.SerializeToNode(other.Fixed(), Json)!, "");
        var b = Flatten(JsonSerializer.SerializeToNode(Fixed(), Json)!, "");
        return a
            .Keys.Union(b.Keys)
            .Where(k => a.GetValueOrDefault(k) != b.GetValueOrDefault(k))
            .Select(k =>
                $"{k}: {a.GetValueOrDefault(k, "(absent)")} in the run, {b.GetValueOrDefault(k, "(absent)")} now"
            )
            .ToList();
    }

    static Dictionary<string, string> Flatten(JsonNode node, string prefix)
    {
        var d = new Dictionary<string, string>();
        if (node is JsonObject o)
        {
            foreach (var (k, v) in o)
            {
                foreach (var kv in Flatten(v!, prefix.Length == 0 ? k : $"{prefix}.{k}"))
                    d[kv.Key] = kv.Value;
            }
        }
        else
        {
            d[prefix] = node.ToJsonString();
        }

        return d;
    }

    public void Validate()
    {
        Model.Validate();
        if (Batch < 1)
            throw new UsageException($"batch must be at least 1, got {Batch}");
        if (UnlabelledCount < 1)
            throw new UsageException($"unlabelled count must be at least 1, got {UnlabelledCount}");
    }
}
