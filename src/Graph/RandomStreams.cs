namespace Untapped.Graph;

/// <summary>
/// Every Philox stream word of a run, in one place: each random draw is Philox(seed, stream, counter), so two draws
/// never share a stream. The host's fixed streams have the top bit set; the graph's named noise tensors hash into the
/// lower half (<see cref="Of"/>), so the two can never collide.
/// </summary>
public static class RandomStreams
{
    /// <summary>The draw of the unlabelled images from the pool (Training.Data.ExperimentData).</summary>
    public const uint Unlabelled = 0xF000_0001;

    /// <summary>Each epoch's shuffle of each data stream (Training.Trainer).</summary>
    public const uint Shuffle = 0xF000_0010;

    /// <summary>The ten fixed unfeatured z, drawn once (Training.Trainer).</summary>
    public const uint FixedZ = 0xF000_0020;

    /// <summary>
    /// The unfeatured z drawn afresh per row per step, with --unfeatured-z resample (Training.Trainer).
    /// </summary>
    public const uint ResampleZ = 0xF000_0021;

    /// <summary>
    /// Parameter i's initialisation draws from stream ParameterBase + i (<see cref="ParameterSet"/>).
    /// </summary>
    public const uint ParameterBase = 0xFFFF_0000;

    /// <summary>
    /// The stream of a named noise tensor of the graph: FNV-1a (32-bit) of the UTF-8 name with the top bit cleared,
    /// stable across versions of the graph (it depends on the name alone).
    /// </summary>
    public static uint Of(string name)
    {
        uint h = 2166136261;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(name))
        {
            h ^= b;
            h *= 16777619;
        }
        return h & 0x7FFF_FFFF;
    }
}
