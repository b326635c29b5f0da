using Untapped.Kernels;

namespace Untapped.Graph.Ops;

/// <summary>
/// Y = act(sum_i X_i W[rows_i] + b): a dense layer over the column-concatenation [X_0, X_1, ...] without
/// materialising it; part i multiplies the row block of W that belongs to it (the rows of W are the fan-in).
/// Backward: dZ = dY act'(Y) in place over dY with db += colsum(dZ) in the same pass, then dW_i += X_i^T dZ,
/// dX_i += dZ W_i^T.
/// </summary>
public sealed class DenseOp : Op
{
    readonly int _parts;
    readonly Activation _act;

    public DenseOp(string label, Tensor[] xs, Tensor w, Tensor b, Activation act, Tensor y)
        : base(label, [.. xs, w, b], [y])
    {
        int fanIn = xs.Sum(x => x.Cols);
        if (fanIn != w.Rows || w.Cols != y.Cols || b.Length != w.Cols || xs.Any(x => x.Rows != y.Rows))
            throw new ArgumentException($"dense {label}: inputs [{string.Join(", ", xs.Select(x => x.ToString()))}] do not fit W {w} and Y {y}");
        _parts = xs.Length;
        _act = act;
    }

    public override string Kind => "dense";
    Tensor W => Inputs[_parts];
    Tensor B => Inputs[_parts + 1];
    Tensor Y => Outputs[0];

    // Part i multiplies rows [first, first + cols_i) of W, where first is the fan-in of the parts before it.
    View Block(View w, int part)
    {
        int r0 = 0;
        for (int i = 0; i < part; i++) r0 += Inputs[i].Cols;
        return w.Slice(r0 * W.Cols, Inputs[part].Cols * W.Cols);
    }

    // Forward: 2 m n fan-in. Backward: dW for every part, dX for the parts that take a gradient.
    public override long Flops(bool backward)
    {
        long mn2 = 2L * Y.Rows * Y.Cols;
        return Inputs.Take(_parts).Sum(x => mn2 * x.Cols * (backward && x.RequiresGrad ? 2 : 1));
    }

    public override void Forward(Executor ex)
    {
        var a = ex.Accelerator;
        int m = Y.Rows, n = Y.Cols;
        for (int i = 0; i < _parts; i++)
        {
            bool last = i == _parts - 1;
            int k = Inputs[i].Cols;
            a.Gemm(ex.Value(Inputs[i]), Block(ex.Value(W), i), last ? ex.Value(B) : default, m, k, n, false, false,
                last ? _act : Activation.None, accumulate: i > 0, ex.Value(Y));
        }
    }

    public override void Backward(Executor ex)
    {
        var a = ex.Accelerator;
        int m = Y.Rows, n = Y.Cols;
        var dz = ex.Grad(Y);
        a.ActBiasBackward(ex.Value(Y), dz, m, n, _act, dz, ex.Grad(B));
        for (int i = 0; i < _parts; i++)
        {
            var x = Inputs[i];
            a.Gemm(ex.Value(x), dz, default, x.Cols, m, n, true, false, Activation.None, true, Block(ex.Grad(W), i));
            if (x.RequiresGrad)
            {
                var dx = ex.GradForWrite(x, out bool accumulate);
                a.Gemm(dz, Block(ex.Value(W), i), default, m, n, x.Cols, false, true, Activation.None, accumulate, dx);
            }
        }
    }
}
