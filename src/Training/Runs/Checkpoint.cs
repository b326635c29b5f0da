using Untapped.Graph;
using Untapped.Training.Storage;

namespace Untapped.Training.Runs;

/// <summary>
/// Parameters (and Adam moments as adam.m.NAME / adam.v.NAME) to and from safetensors, float32, weights
/// [fan_in, fan_out] row-major and biases [n], so PyTorch's safetensors can load them directly.
/// </summary>
public static class Checkpoint
{
    static int[] Shape(Tensor p) => p.Rows == 1 ? [p.Cols] : [p.Rows, p.Cols];

    public static IEnumerable<Safetensors.Entry> Entries(
        ParameterSet set,
        float[] parameters,
        float[]? m = null,
        float[]? v = null
    )
    {
        foreach (var p in set.Items)
            yield return new(p.Name, Shape(p), parameters.AsSpan(p.ParameterOffset, p.Length).ToArray());
        if (m is null || v is null)
            yield break;
        foreach (var p in set.Items)
            yield return new("adam.m." + p.Name, Shape(p), m.AsSpan(p.ParameterOffset, p.Length).ToArray());
        foreach (var p in set.Items)
            yield return new("adam.v." + p.Name, Shape(p), v.AsSpan(p.ParameterOffset, p.Length).ToArray());
    }

    /// <summary>
    /// Writes the executor's parameters, and with a <paramref name="state"/> its Adam moments and that state, in one
    /// atomic file write.
    /// </summary>
    public static void Save(string path, Executor ex, TrainingState? state)
    {
        var a = ex.Backend;
        bool adam = state is not null;
        var bytes = Safetensors.Encode(
            Entries(
                ex.Graph.Parameters,
                a.ToArray(ex.Parameters),
                adam ? a.ToArray(ex.AdamM) : null,
                adam ? a.ToArray(ex.AdamV) : null
            ),
            state?.ToMetadata()
        );
        AtomicFile.Write(path, bytes);
    }

    /// <summary>
    /// Flat parameter (and, when present, moment) arrays in the layout of <paramref name="set"/>; every parameter must
    /// be present with its shape.
    /// </summary>
    public static (float[] Parameters, float[]? M, float[]? V, Dictionary<string, string> Metadata) Load(
        string path,
        ParameterSet set
    )
    {
        var (tensors, meta) = Safetensors.Read(path);
        float[] Gather(string prefix, bool required)
        {
            var flat = new float[set.TotalLength];
            foreach (var p in set.Items)
            {
                if (!tensors.TryGetValue(prefix + p.Name, out var e))
                {
                    if (required)
                        throw new CheckpointException($"{path}: tensor '{prefix + p.Name}' is missing");
                    return null!;
                }
                if (!e.Shape.SequenceEqual(Shape(p)))
                {
                    throw new CheckpointException(
                        $"{path}: tensor '{e.Name}' has shape [{string.Join(",", e.Shape)}], expected [{string.Join(",", Shape(p))}]"
                    );
                }

                e.Data.CopyTo(flat, p.ParameterOffset);
            }
            return flat;
        }
        var parameters = Gather("", true);
        var m = Gather("adam.m.", false);
        var v = m is null ? null : Gather("adam.v.", true);
        return (parameters, m, v, meta);
    }
}
