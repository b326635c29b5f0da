using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Untapped.Kernels.Cpu;

/// <summary>
/// TV.Count rows of k elements, transposed: element j of the block's row i at j TV.Count + i, so element j of every
/// row is one vector. The managed CPU runs a row function written over a lane type (<see cref="GumbelRows"/>, <see
/// cref="FlowRows"/>) on these, a vector's lanes' worth of rows at a time; rows past a short block's end are zeros,
/// computed and never stored. The indexer is unchecked (it is the row functions' inner loop): <see
/// cref="CpuBackend.BlockRows"/> gives each block k TV.Count floats, and the row functions read j &lt; k only.
/// </summary>
internal readonly struct RowBlock<TV>(float[] data, int offset) : IRows<TV>, IRowSource<TV>
    where TV : struct, ISimd<TV>
{
    readonly float[] _data = data;
    readonly int _offset = offset;

    public TV this[int j]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TV.Load(ref MemoryMarshal.GetArrayDataReference(_data), (nuint)(_offset + j * TV.Count));
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => TV.Store(value, ref MemoryMarshal.GetArrayDataReference(_data), (nuint)(_offset + j * TV.Count));
    }

    /// <summary>Rows [r, r + rows) of the row-major [*, k] array <paramref name="src"/>, transposed in.</summary>
    public RowBlock<TV> Load(Mem src, int r, int rows, int k)
    {
        int w = TV.Count;
        var block = _data.AsSpan(_offset, k * w);
        if (rows < w)
            block.Clear();
        var rowsIn = src.Span(r * k, rows * k);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < k; j++)
                block[j * w + i] = rowsIn[i * k + j];
        }

        return this;
    }

    /// <summary>
    /// Each of the block's k elements through <typeparamref name="TOp"/>, in place: an input a row function reads more
    /// than once (log y in the Concrete log-density, the flow's sigmoid in its backward) is computed once per element,
    /// with the op <see cref="RowThrough{TOp, TV, TS}"/> would apply at each read.
    /// </summary>
    public RowBlock<TV> Apply<TOp>(int k)
        where TOp : struct, IUnaryOp
    {
        for (int j = 0; j < k; j++)
            this[j] = TOp.Invoke(this[j]);
        return this;
    }

    /// <summary>The block's first <paramref name="rows"/> rows, transposed back into rows [r, r + rows) of <paramref name="dst"/>.</summary>
    public void StoreTo(Mem dst, int r, int rows, int k)
    {
        int w = TV.Count;
        ReadOnlySpan<float> block = _data.AsSpan(_offset, k * w);
        var rowsOut = dst.Span(r * k, rows * k);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < k; j++)
                rowsOut[i * k + j] = block[j * w + i];
        }
    }
}

/// <summary>A row function's call on one block of rows (<see cref="CpuBackend.BlockRows"/> runs it over all).</summary>
internal interface IBlockRows
{
    /// <summary>
    /// Rows [r, r + rows) (rows &lt;= TV.Count), with <paramref name="blocks"/> holding the driver's blocks of k
    /// elements, TV.Count k floats each.
    /// </summary>
    void Run<TV>(int r, int rows, float[] blocks)
        where TV : struct, ISimd<TV>;
}

public sealed partial class CpuBackend
{
    /// <summary>
    /// <paramref name="kernel"/> over rows [0, m) of k elements, a vector's lanes' worth of rows per call (16 with
    /// AVX-512, 8 with AVX2, else 4), chunks of rows in parallel, each chunk with <paramref name="blocks"/> blocks of
    /// scratch for its calls. Rows are independent, so neither the chunks nor the width change a row's bits.
    /// </summary>
    internal void BlockRows<TK>(TK kernel, int m, int k, int blocks)
        where TK : struct, IBlockRows
    {
        if (Lanes.Wide)
            BlockRows<TK, V512>(kernel, m, k, blocks);
        else if (Lanes.Has256)
            BlockRows<TK, V256>(kernel, m, k, blocks);
        else
            BlockRows<TK, V128>(kernel, m, k, blocks);
    }

    void BlockRows<TK, TV>(TK kernel, int m, int k, int blocks)
        where TK : struct, IBlockRows
        where TV : struct, ISimd<TV>
    {
        int w = TV.Count;
        // Whole blocks per chunk: about 16 K elements of row work (the exps dominate), so 10,000 rows of ten classes
        // split into dozens of chunks for two threads to share.
        int grain = (Grain(k * 16) + w - 1) / w * w;
        Chunks(m, grain, (s, e) =>
        {
            var scratch = new float[blocks * k * w];
            for (int r = s; r < e; r += w)
                kernel.Run<TV>(r, Math.Min(w, e - r), scratch);
        });
    }
}
