using Untapped.Kernels;

namespace Untapped.Graph;

/// <summary>
/// A per-row tensor and the coefficient with which its mean enters a loss term. A part with <paramref name="Gradient"/>
/// false counts in the term's value but sends no gradient back (a stop-gradient on that part alone).
/// </summary>
public readonly record struct LossPart(Tensor Rows, float Coefficient, bool Gradient = true);

/// <summary>
/// A named loss term: sum of coefficient * mean(rows) over its parts; Weight scales it in the total. A
/// <paramref name="Monitor"/> term is only logged: it enters neither the total nor the gradient.
/// </summary>
public sealed record LossTerm(string Name, float Weight, IReadOnlyList<LossPart> Parts, bool Monitor = false);

/// <summary>
/// A static graph built once per model and batch size: tensors, ops in execution order (a valid topological
/// order, checked), parameters, and loss terms. The builder methods are the only way to add ops, so every
/// output's RequiresGrad follows from its op's differentiable inputs. Each family's builder methods sit with its ops
/// (Ops/DenseOp.cs, Ops/FlowOps.cs, ...).
/// </summary>
public sealed partial class ComputeGraph
{
    readonly List<Tensor> _tensors = new();
    readonly List<Op> _ops = new();
    readonly List<LossTerm> _losses = new();

    public ParameterSet Parameters { get; } = new();
    public IReadOnlyList<Tensor> Tensors => _tensors;
    public IReadOnlyList<Op> Ops => _ops;
    public IReadOnlyList<LossTerm> Losses => _losses;

    Tensor New(string name, int rows, int cols, TensorKind kind, bool grad)
    {
        if (rows <= 0 || cols <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(rows),
                $"tensor '{name}' needs a positive shape, got [{rows},{cols}]"
            );
        }

        var t = new Tensor(_tensors.Count, name, rows, cols, kind, grad);
        _tensors.Add(t);
        return t;
    }

    public Tensor Parameter(string name, int rows, int cols)
    {
        var t = New(name, rows, cols, TensorKind.Parameter, true);
        Parameters.Add(t);
        return t;
    }

    /// <summary>
    /// Data copied in by the caller before each forward pass; <paramref name="rowPeriod"/> &gt; 0 promises rows that
    /// repeat with that period (<see cref="Tensor.RowPeriod"/>), which every SetInput checks.
    /// </summary>
    public Tensor Input(string name, int rows, int cols, int rowPeriod = 0)
    {
        if (rowPeriod < 0 || rowPeriod > rows)
        {
            throw new ArgumentOutOfRangeException(
                nameof(rowPeriod),
                $"input {name}: row period {rowPeriod} outside 0..{rows}"
            );
        }

        var t = New(name, rows, cols, TensorKind.Input, false);
        t.RowPeriod = rowPeriod == rows ? 0 : rowPeriod;
        return t;
    }

    T Add<T>(T op)
        where T : Op
    {
        foreach (var t in op.Inputs)
        {
            if (t.Kind == TensorKind.Activation && !_ops.Any(o => o.Outputs.Contains(t)))
                throw new InvalidOperationException($"{op}: input {t} is not produced by an earlier op");
        }

        _ops.Add(op);
        return op;
    }

    Tensor Out(string name, int rows, int cols, params Tensor[] differentiableInputs) =>
        New(name, rows, cols, TensorKind.Activation, differentiableInputs.Any(t => t.RequiresGrad));

    public void Loss(string name, float weight, params LossPart[] parts) =>
        _losses.Add(new LossTerm(name, weight, Check(name, parts)));

    static LossPart[] Check(string name, LossPart[] parts)
    {
        foreach (var p in parts)
        {
            if (p.Rows.Cols != 1)
                throw new ArgumentException($"loss '{name}': {p.Rows} is not a per-row vector");
        }

        return parts;
    }

    /// <summary>
    /// A term logged beside the losses (sum of coefficient * mean(rows)) that neither enters the total nor the
    /// gradient.
    /// </summary>
    public void Monitor(string name, params LossPart[] parts) =>
        _losses.Add(new LossTerm(name, 0f, Check(name, parts), Monitor: true));
}
