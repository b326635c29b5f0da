using Untapped.Kernels.Cpu;
using Row = Untapped.Kernels.DeviceRow;

namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// The logistic flow onto the box [lo, hi]^d, its log-determinant and inverse: one thread per row, each running the
/// row that the managed CPU runs too (<see cref="FlowRows"/>, this folder); the inverse one thread per element.
/// </summary>
static class DeviceFlow
{
    /// <summary><see cref="FlowRows.Forward"/> for row r.</summary>
    public static void LogisticFlow(
        Index1D r,
        ArrayView<float> zt, // [m,d]
        int d,
        float lo,
        float hi,
        LogDetForm form,
        ArrayView<float> z, // [m,d]
        ArrayView<float> logdet // [m]
    ) =>
        FlowRows.Forward<
            Lane,
            Row,
            RowThrough<SigmoidOp, Lane, Row>,
            RowThrough<SoftplusNegOp, Lane, Row>,
            RowThrough<SoftplusOp, Lane, Row>
        >(new(At(zt, r * d)), new(At(zt, r * d)), new(At(zt, r * d)), d, lo, hi, form, At(z, r * d), At(logdet, r));

    /// <summary><see cref="FlowRows.Backward"/> for row r.</summary>
    public static void LogisticFlowBackward(
        Index1D r,
        ArrayView<float> zt, // [m,d]
        ArrayView<float> dz, // [m,d]
        ArrayView<float> dlogdet, // [m]
        int d,
        float lo,
        float hi,
        LogDetForm form,
        ArrayView<float> dzt // [m,d]
    ) =>
        FlowRows.Backward<Lane, Row, Row, RowThrough<SigmoidOp, Lane, Row>>(
            new(At(zt, r * d)),
            At(dz, r * d),
            At(dlogdet, r),
            d,
            lo,
            hi,
            form,
            At(dzt, r * d)
        );

    /// <summary>zt = logit(clip((z - lo) / (hi - lo), FlowEps, 1 - FlowEps)).</summary>
    public static void LogisticFlowInverse(
        Index1D i,
        ArrayView<float> z, // [n]
        float lo,
        float hi,
        ArrayView<float> zt // [n]
    ) => zt[i] = Fn.FlowInverse(z[i], lo, hi);

    static Row At(ArrayView<float> v, int offset) => new(v, offset);
}
