using Untapped.Kernels.Cpu;
using LogY = Untapped.Kernels.RowThrough<
    Untapped.Kernels.LogFlooredOp,
    Untapped.Kernels.Cpu.Lane,
    Untapped.Kernels.DeviceRow
>;
using Row = Untapped.Kernels.DeviceRow;

namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// Gumbel-softmax relaxation and the Concrete log-density: one thread per row of k &lt;= MaxClasses, each running the
/// row that the managed CPU runs too (<see cref="GumbelRows"/>, this folder) on one <see cref="Lane"/>, with its
/// scratch in local memory.
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
        GumbelRows.Softmax<Lane, Row, Row, RowThrough<GumbelNoiseOp, Lane, Row>>(
            At(logits, r * k),
            new(At(u, r * k)),
            k,
            tau,
            hasNoise,
            At(y, r * k),
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
    ) => GumbelRows.SoftmaxBackward<Lane, Row, Row>(At(y, r * k), At(dy, r * k), k, tau, At(dlogits, r * k));

    /// <summary><see cref="GumbelRows.ConcreteLogPdf"/> for row r.</summary>
    public static void ConcreteLogPdf(
        Index1D r,
        ArrayView<float> logits, // [m,k]
        ArrayView<float> y, // [m,k]
        int k,
        float tau,
        float logNorm,
        ArrayView<float> lp // [m]
    ) =>
        GumbelRows.ConcreteLogPdf<Lane, Row, Row, LogY>(
            At(logits, r * k),
            new(At(y, r * k)),
            k,
            tau,
            logNorm,
            At(lp, r),
            Scratch()
        );

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
        GumbelRows.ConcreteLogPdfBackward<Lane, Row, Row, LogY>(
            At(logits, r * k),
            At(y, r * k),
            new(At(y, r * k)),
            At(g, r),
            k,
            tau,
            hasDy,
            At(dlogits, r * k),
            At(dy, r * k),
            Scratch()
        );

    static Row At(ArrayView<float> v, int offset) => new(v, offset);

    static Row Scratch() => new(LocalMemory.Allocate<float>(Backend.MaxClasses), 0);
}
