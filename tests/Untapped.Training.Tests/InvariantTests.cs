using Untapped.Tests;
using Untapped.Training.Storage;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// The project's invariant (README, "Same seed, same bytes"): `train --epochs 1 --batch 2000 --seed 4 --backend cpu`
/// on the embedded MNIST writes tensors whose SHA-256 (the checkpoint header's sha256) is the one the README states.
/// Only an issue that says so may change it, and then this constant, the README and docs/design.md change with it
/// (issue 42, the project's own maths: 6e47bd740b513175 -> 9dc072371c144417).
/// </summary>
public sealed class InvariantTests
{
    const string Invariant = "9dc072371c144417";

    /// <summary>
    /// The same run with `--preset original`, recorded beside the invariant since the original preset's trained bits
    /// changed once more than the paper preset's (issue 43: the fixed-z stream's backward on ten rows, 3085105817274e76
    /// -> dd075db7f69da349).
    /// </summary>
    const string OriginalPreset = "dd075db7f69da349";

    [Fact]
    public void TheInvariantRunWritesTheStatedTensors() => Assert.StartsWith(Invariant, TrainedTensorsSha("cpu"));

    [Fact]
    public void TheOriginalPresetRunWritesItsStatedTensors() =>
        Assert.StartsWith(OriginalPreset, TrainedTensorsSha("cpu", "--preset", "original"));

    // A device proves itself by equality: the same run on an OpenCL device (PoCL 6 in CI: tools/pocl6.sh) writes the
    // same tensors as the managed CPU. The self-check is left to its own tests here.
    [BackendFact(Untapped.Kernels.BackendKind.OpenCl)]
    public void TheInvariantRunOnOpenClWritesTheSameTensors() =>
        Assert.StartsWith(Invariant, TrainedTensorsSha("opencl", "--self-check", "never"));

    // The checkpoint header's sha256 of the invariant's run on a backend.
    static string TrainedTensorsSha(string backend, params string[] more)
    {
        var dir = Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));
        string[] args =
        [
            .. Argv.Words($"train --epochs 1 --batch 2000 --seed 4 --backend {backend} --data"),
            Path.Combine(RepoPaths.Root, "data", "mnist"),
            "--out",
            dir,
            .. more,
        ];
        Assert.Equal(0, Cli.App.Run(args));
        return Safetensors.Read(Path.Combine(dir, "checkpoint.safetensors")).Metadata["sha256"];
    }

    [Fact]
    public void TheReadmeStatesTheInvariant()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.Contains($"`{Invariant}...`", readme);
        Assert.Contains($"`{OriginalPreset}...`", readme);
    }
}
