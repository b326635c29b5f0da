namespace Untapped.Graph;

/// <summary>
/// The ordered, named parameters of a model and their offsets in one flat float buffer (so one Adam launch
/// updates everything). Weights are stored [fan_in, fan_out] row-major.
/// </summary>
public sealed class ParameterSet
{
    readonly List<Tensor> _items = new();

    public IReadOnlyList<Tensor> Items => _items;
    public int TotalLength { get; private set; }

    internal void Add(Tensor t)
    {
        if (_items.Any(p => p.Name == t.Name))
            throw new ArgumentException($"parameter '{t.Name}' is defined twice");
        t.ParameterOffset = TotalLength;
        TotalLength += t.Length;
        _items.Add(t);
    }

    public Tensor this[string name] =>
        _items.FirstOrDefault(p => p.Name == name) ?? throw new KeyNotFoundException($"no parameter '{name}'");

    /// <summary>
    /// Glorot-uniform weights with the given gain (limit = gain sqrt(6 / (fan_in + fan_out))), zero biases and zero for
    /// the names in <paramref name="zeroed"/>; drawn from Philox stream RandomStreams.ParameterBase + index with the
    /// run seed.
    /// </summary>
    public float[] Initialise(ulong seed, double gain, IReadOnlySet<string> zeroed)
    {
        var flat = new float[TotalLength];
        for (int i = 0; i < _items.Count; i++)
        {
            var p = _items[i];
            if (zeroed.Contains(p.Name) || p.Rows == 1)
                continue;
            var span = flat.AsSpan(p.ParameterOffset, p.Length);
            Untapped.Kernels.Philox.Uniform(seed, RandomStreams.ParameterBase + (uint)i, 0, 0, span);
            float limit = (float)(gain * Math.Sqrt(6.0 / (p.Rows + p.Cols)));
            for (int j = 0; j < span.Length; j++)
                span[j] = (2f * span[j] - 1f) * limit;
        }
        return flat;
    }
}
