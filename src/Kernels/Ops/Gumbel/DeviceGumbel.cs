namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// Gumbel-softmax relaxation and the Concrete log-density: one thread per row of k &lt;= MaxClasses, each running the
/// row that the managed CPU runs too (<see cref="GumbelRows"/>, this folder), with its scratch in local memory.
/// </summary>
static class DeviceGumbel
{
    /// <summary><see cref="GumbelRows.Softmax"/> for row r.</summary>
    public static void GumbelSoftmax(
        Index1D r,
        ArrayView<float> logits, // [m,k]
        ArrayView<float> u, // [m,k] or empty
        int k,
        float tau,
        Flag hasNoise,
        ArrayView<float> y // [m,k]
    ) =>
        GumbelRows.Softmax(
            r,
            F(logits),
            new Through<GumbelNoiseOp, DeviceFloats>(F(u)),
            k,
            tau,
            hasNoise,
            F(y),
            Scratch()
        );

    /// <summary><see cref="GumbelRows.SoftmaxBackward"/> for row r.</summary>
    public static void GumbelSoftmaxBackward(
        Index1D r,
        ArrayView<float> y, // [m,k]
        ArrayView<float> dy, // [m,k]
        int k,
        float tau,
        ArrayView<float> dlogits // [m,k]
    ) => GumbelRows.SoftmaxBackward(r, F(y), F(dy), k, tau, F(dlogits));

    /// <summary><see cref="GumbelRows.ConcreteLogPdf"/> for row r.</summary>
    public static void ConcreteLogPdf(
        Index1D r,
        ArrayView<float> logits, // [m,k]
        ArrayView<float> y, // [m,k]
        int k,
        float tau,
        float logNorm,
        ArrayView<float> lp // [m]
    ) => GumbelRows.ConcreteLogPdf(r, F(logits), LogY(y), k, tau, logNorm, F(lp), Scratch());

    /// <summary><see cref="GumbelRows.ConcreteLogPdfBackward"/> for row r.</summary>
    public static void ConcreteLogPdfBackward(
        Index1D r,
        ArrayView<float> logits, // [m,k]
        ArrayView<float> y, // [m,k]
        ArrayView<float> g, // [m]
        int k,
        float tau,
        Flag hasDy,
        ArrayView<float> dlogits, // [m,k]
        ArrayView<float> dy // [m,k] or empty
    ) =>
        GumbelRows.ConcreteLogPdfBackward(
            r,
            F(logits),
            F(y),
            LogY(y),
            F(g),
            k,
            tau,
            hasDy,
            F(dlogits),
            F(dy),
            Scratch()
        );

    static DeviceFloats F(ArrayView<float> v) => new(v);

    static Through<LogFlooredOp, DeviceFloats> LogY(ArrayView<float> y) => new(F(y));

    static DeviceFloats Scratch() => new(LocalMemory.Allocate<float>(Backend.MaxClasses));
}
