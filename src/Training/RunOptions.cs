using System.Text.Json;
using System.Text.Json.Serialization;
using Untapped.Training.Model;

namespace Untapped.Training;

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
    /// <summary>Size of the unlabelled draw (SPEC: 20,000); smaller only for quick tests.</summary>
    public int UnlabelledCount { get; init; } = Data.ExperimentData.UnlabelledCount;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The settings that must not change across a resume (everything but paths and backend).</summary>
    public string Fingerprint() => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
        JsonSerializer.SerializeToUtf8Bytes(this with { OutDir = "", DataDir = "", Backend = "", Model = Model with { Epochs = 0 } }, Json)));

    public void Validate()
    {
        Model.Validate();
        if (Batch < 1) throw new ArgumentException($"batch must be at least 1, got {Batch}");
        if (UnlabelledCount < 1) throw new ArgumentException($"unlabelled count must be at least 1, got {UnlabelledCount}");
    }
}

/// <summary>state.json: where a run stands after its last complete epoch.</summary>
public sealed record RunState(int Epoch, int AdamT, int StepsPerEpoch, string CheckpointSha256, string Fingerprint);

/// <summary>Receives progress from long work (the CLI draws bars; tests ignore it).</summary>
public interface ITrainingObserver
{
    void Phase(string what) { }
    void Step(int epoch, int epochs, int step, int steps, float loss) { }
    void Epoch(EpochMetrics m, int epochs) { }
}

public sealed class NullObserver : ITrainingObserver;
