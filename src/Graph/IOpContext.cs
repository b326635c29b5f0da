using Untapped.Kernels;

namespace Untapped.Graph;

/// <summary>
/// What an op may touch while it runs: the accelerator, the storage of its tensors and their gradients, and the
/// key words of its random draws. The executor provides it; an op never sees the executor's other state.
/// </summary>
public interface IOpContext
{
    Backend Backend { get; }

    /// <summary>The storage of <paramref name="t"/>'s value.</summary>
    View Value(Tensor t);

    /// <summary>Rows [<paramref name="r0"/>, <paramref name="r1"/>) of <paramref name="t"/>'s value (a row-wise op's block).</summary>
    View ValueRows(Tensor t, int r0, int r1) => Value(t).Slice(r0 * t.Cols, (r1 - r0) * t.Cols);

    /// <summary>
    /// The gradient of <paramref name="t"/>, or an empty view when it takes none; safe to add into (a gradient that
    /// nothing has written yet in this backward pass is zero-filled on this first access).
    /// </summary>
    View Grad(Tensor t);

    /// <summary>Rows [<paramref name="r0"/>, <paramref name="r1"/>) of <see cref="Grad"/>.</summary>
    View GradRows(Tensor t, int r0, int r1) => Grad(t).Slice(r0 * t.Cols, (r1 - r0) * t.Cols);

    /// <summary>
    /// Whether this pass computes gradients (a training executor's): an op whose backward runs in its forward (<see
    /// cref="Op.BackwardInForward"/>) runs it only then.
    /// </summary>
    bool Trains { get; }

    /// <summary>
    /// The gradient of <paramref name="t"/> for a kernel that can add into it or overwrite it: <paramref
    /// name="accumulate"/> is false on the first write of the backward pass, and the kernel must then write every
    /// element without reading.
    /// </summary>
    View GradForWrite(Tensor t, out bool accumulate);

    /// <summary>The run's seed: the first key word of every Philox draw.</summary>
    ulong Seed { get; }

    /// <summary>The index of the optimiser step this pass belongs to: the counter word of every Philox draw.</summary>
    int Step { get; }
}
