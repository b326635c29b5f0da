namespace Untapped.Graph.Ops;

/// <summary>The Philox stream word of a named noise tensor.</summary>
public static class NoiseStreams
{
    /// <summary>
    /// FNV-1a (32-bit) of the UTF-8 name with the top bit cleared: stable across versions of the graph (it depends on
    /// the name alone), and disjoint from the host's fixed streams, which all have the top bit set (0xF000_....).
    /// </summary>
    public static uint Of(string name)
    {
        uint h = 2166136261;
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(name)) { h ^= b; h *= 16777619; }
        return h & 0x7FFF_FFFF;
    }
}
