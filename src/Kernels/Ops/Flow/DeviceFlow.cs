using Untapped.Kernels.Cpu;

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
        FlowRows.Forward(
            r,
            new Through<SigmoidOp, DeviceFloats>(new(zt)),
            new Through<SoftplusNegOp, DeviceFloats>(new(zt)),
            new Through<SoftplusOp, DeviceFloats>(new(zt)),
            d,
            lo,
            hi,
            form,
            new DeviceFloats(z),
            new DeviceFloats(logdet)
        );

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
        FlowRows.Backward(
            r,
            new Through<SigmoidOp, DeviceFloats>(new(zt)),
            new DeviceFloats(dz),
            new DeviceFloats(dlogdet),
            d,
            lo,
            hi,
            form,
            new DeviceFloats(dzt)
        );

    /// <summary>zt = logit(clip((z - lo) / (hi - lo), FlowEps, 1 - FlowEps)).</summary>
    public static void LogisticFlowInverse(
        Index1D i,
        ArrayView<float> z, // [n]
        float lo,
        float hi,
        ArrayView<float> zt // [n]
    ) => zt[i] = Fn.FlowInverse(z[i], lo, hi);
}
