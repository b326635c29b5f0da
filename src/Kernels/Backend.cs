namespace Untapped.Kernels;

/// <summary>
/// A compute backend: allocates buffers, copies, and runs the kernel catalogue. Every public kernel
/// method validates its views once here and then calls the backend's *Core twin. Arguments follow
/// one order: inputs, then sizes and switches, then outputs. Backward kernels accumulate (+=) into
/// their gradient outputs, so a tensor used by several ops gets the sum of their gradients.
/// </summary>
public abstract partial class Backend : IDisposable
{
    /// <summary>
    /// Number of partial sums of the global-norm reduction: one per thread of the device group that combines them.
    /// </summary>
    public const int NormPartials = LaunchShape.GroupSize;

    /// <summary>Largest class count of the per-row softmax-family kernels.</summary>
    public const int MaxClasses = 16;

    public abstract BackendKind Kind { get; }
    public abstract string Name { get; }

    public abstract BackendBuffer Allocate(int length);
    protected abstract void CopyFromHostCore(ReadOnlySpan<float> source, View destination);
    protected abstract void CopyToHostCore(View source, Span<float> destination);
    protected abstract void CopyCore(View source, View destination);

    /// <summary>
    /// When set, every <see cref="Gemm"/> is timed and recorded there (a synchronize before and after each).
    /// </summary>
    public GemmTrace? GemmTrace { get; set; }

    /// <summary>Waits for every queued kernel and copy.</summary>
    public abstract void Synchronize();

    public virtual void Dispose() => GC.SuppressFinalize(this);

    public override string ToString() => $"{Kind}: {Name}";

    public void CopyFromHost(ReadOnlySpan<float> source, View destination)
    {
        Own(destination, "destination");
        if (source.Length != destination.Length)
            throw new ArgumentException($"copy of {source.Length} elements into a view of {destination.Length}");
        CopyFromHostCore(source, destination);
    }

    public void CopyToHost(View source, Span<float> destination)
    {
        Own(source, "source");
        if (source.Length != destination.Length)
            throw new ArgumentException($"copy of a view of {source.Length} elements into {destination.Length}");
        CopyToHostCore(source, destination);
    }

    /// <summary>
    /// Copies one view into another of the same length on this accelerator (a device-to-device copy on a GPU).
    /// </summary>
    public void Copy(View source, View destination)
    {
        Own(source, "source");
        Own(destination, "destination");
        if (source.Length != destination.Length)
            throw new ArgumentException($"copy of a view of {source.Length} elements into one of {destination.Length}");
        if (source.Length > 0)
            CopyCore(source, destination);
    }

    public BackendBuffer Upload(ReadOnlySpan<float> data)
    {
        var b = Allocate(data.Length);
        if (data.Length > 0)
            CopyFromHost(data, b);
        return b;
    }

    public float[] ToArray(View source)
    {
        var a = new float[source.Length];
        if (a.Length > 0)
            CopyToHost(source, a);
        return a;
    }

    void Own(View v, string name)
    {
        var b = v.Required(name);
        if (!ReferenceEquals(b.Owner, this))
            throw new ArgumentException($"buffer '{name}' belongs to {b.Owner.Name}, not {Name}", name);
        if (v.Offset < 0 || v.Length < 0 || v.Offset + (long)v.Length > b.Length)
        {
            throw new ArgumentOutOfRangeException(
                name,
                $"view [{v.Offset}, {v.Offset + v.Length}) is outside its buffer of {b.Length}"
            );
        }
    }

    /// <summary>Checks a view belongs here and holds at least <paramref name="need"/> elements.</summary>
    protected void In(View v, string name, long need)
    {
        Own(v, name);
        if (v.Length < need)
            throw new ArgumentException($"buffer '{name}' holds {v.Length} elements but the kernel needs {need}", name);
    }

    /// <summary>As <see cref="In"/>, for an optional view; an empty view passes.</summary>
    protected void Opt(View v, string name, long need)
    {
        if (!v.IsEmpty)
            In(v, name, need);
    }

    static void Positive(int value, string name)
    {
        if (value < 0)
            throw new ArgumentOutOfRangeException(name, $"{name} = {value} must not be negative");
    }

    static void Classes(int k)
    {
        if (k < 1 || k > MaxClasses)
            throw new ArgumentOutOfRangeException(nameof(k), $"class count {k} must be in 1..{MaxClasses}");
    }

    static void Temperature(float tau)
    {
        if (!(tau > 0) || float.IsInfinity(tau))
            throw new ArgumentOutOfRangeException(nameof(tau), $"temperature {tau} must be a positive finite number");
    }
}
