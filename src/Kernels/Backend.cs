using System.Runtime.CompilerServices;

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

    /// <summary>The validation of a kernel call over <paramref name="n"/> elements (see <see cref="Shape"/>).</summary>
    protected Shape Sizes(int n, [CallerArgumentExpression(nameof(n))] string nName = "")
    {
        NotNegative(n, nName);
        return new(this, n, n);
    }

    /// <summary>The validation of a kernel call over an [m,d] matrix (see <see cref="Shape"/>).</summary>
    protected Shape Sizes(
        int m,
        int d,
        [CallerArgumentExpression(nameof(m))] string mName = "",
        [CallerArgumentExpression(nameof(d))] string dName = ""
    )
    {
        NotNegative(m, mName);
        NotNegative(d, dName);
        return new(this, m, (long)m * d);
    }

    /// <summary>
    /// One kernel call's validation as one chain, its sizes first (none negative: <see cref="Sizes(int, int, string,
    /// string)"/>), then each view with what it must hold: <see cref="All"/> every element (m*d, or n), <see
    /// cref="Rows"/> one per row (m), <see cref="Holds"/> a stated count; the OrEmpty forms let an optional view be
    /// empty. Each view is named in errors by its argument expression, the parameter's name.
    /// </summary>
    protected readonly ref struct Shape(Backend owner, long rows, long all)
    {
        readonly Backend _owner = owner;

        public Shape All(View v, [CallerArgumentExpression(nameof(v))] string name = "") => Holds(v, all, name);

        public Shape AllOrEmpty(View v, [CallerArgumentExpression(nameof(v))] string name = "") =>
            HoldsOrEmpty(v, all, name);

        public Shape Rows(View v, [CallerArgumentExpression(nameof(v))] string name = "") => Holds(v, rows, name);

        public Shape Holds(View v, long need, [CallerArgumentExpression(nameof(v))] string name = "")
        {
            _owner.In(v, name, need);
            return this;
        }

        public Shape HoldsOrEmpty(View v, long need, [CallerArgumentExpression(nameof(v))] string name = "")
        {
            _owner.Opt(v, name, need);
            return this;
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

    static void NotNegative(int value, string name)
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
