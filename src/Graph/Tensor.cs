namespace Untapped.Graph;

/// <summary>Writes rows [first, first + count) of an input, as floats, to the start of the destination.</summary>
public delegate void RowWriter(int first, int count, Span<float> destination);

/// <summary>
/// What a tensor's storage is: a view into the flat parameter buffer, data copied in per step, or planned arena memory.
/// </summary>
public enum TensorKind
{
    Parameter,
    Input,
    Activation,
}

/// <summary>
/// A named [Rows, Cols] float32 node of a static graph. Gradients exist only where <see cref="RequiresGrad"/>.
/// </summary>
public sealed class Tensor
{
    internal Tensor(int id, string name, int rows, int cols, TensorKind kind, bool requiresGrad)
    {
        Id = id;
        Name = name;
        Rows = rows;
        Cols = cols;
        Kind = kind;
        RequiresGrad = requiresGrad;
    }

    public int Id { get; }
    public string Name { get; }
    public int Rows { get; }
    public int Cols { get; }
    public int Length => Rows * Cols;
    public TensorKind Kind { get; }
    public bool RequiresGrad { get; }

    /// <summary>
    /// 0, or a promise that row r equals row r - RowPeriod for every r at or past it: an input so declared is
    /// checked by <see cref="Executor.SetInput"/>, and a dense layer whose inputs all share the period computes only
    /// the first RowPeriod rows and copies them down (bit for bit what the whole GEMM gives: each output row is its
    /// own FMA chain over K, whatever the number of rows), the output keeping the period.
    /// </summary>
    public int RowPeriod { get; internal set; }

    /// <summary>
    /// Whether this periodic tensor's gradient is kept folded onto its first period (its first RowPeriod rows hold, per
    /// distinct row, the sum of the gradient over the rows equal to it; the rest is unused): set when every consumer is
    /// a dense layer that runs its backward on one period (<see cref="DenseOp.FoldsBackward"/>) and no loss reads it.
    /// </summary>
    public bool FoldedGrad { get; internal set; }

    /// <summary>Set for parameters: the element offset of this tensor in the flat parameter buffer.</summary>
    public int ParameterOffset { get; internal set; } = -1;

    public override string ToString() => $"{Name} [{Rows},{Cols}]";
}
