namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// The dense layer's elementwise backward and the row fold of a periodic layer's gradient; twin of CpuDense.cs in this folder (the GEMMs are in <see
/// cref="DeviceGemm"/>).
/// </summary>
static class DeviceDense
{
    /// <summary>
    /// dZ[i,j] = dY[i,j] act'(x) from the output Y = act(x) (written when <paramref name="writeDz"/>), and
    /// db[j] += sum_i dZ[i,j] in the CPU's order: rows in blocks of BiasBlockRows, each block summed in row order from
    /// zero, the block sums added in block order. Groups of BiasCols columns x BiasRows row lanes (grid: column
    /// groups): a warp reads consecutive floats of a row; in each round the lanes sum BiasRows consecutive blocks at
    /// once, and lane 0 adds their sums onto the running total in order. An empty db: dZ alone.
    /// </summary>
    public static void ActBiasBackward(
        ArrayView<float> y, // [m,n]
        ArrayView<float> dy, // [m,n]
        int m,
        int n,
        Activation act,
        Flag writeDz,
        ArrayView<float> dz, // [m,n]
        ArrayView<float> db // [n] or empty
    )
    {
        var part = SharedMemory.Allocate<float>(BiasRows * BiasCols); // [row lane, column]
        int cx = Group.IdxX,
            ry = Group.IdxY,
            col = Grid.IdxX * BiasCols + cx,
            blocks = (m + BiasBlockRows - 1) / BiasBlockRows;
        float total = 0f;
        for (int b0 = 0; b0 < blocks; b0 += BiasRows)
        {
            int b = b0 + ry;
            float s = 0f;
            if (col < n && b < blocks)
            {
                int end = Math.Min(m, (b + 1) * BiasBlockRows);
                for (int r = b * BiasBlockRows; r < end; r++)
                {
                    int i = r * n + col;
                    float g = dy[i] * Fn.ActGrad(y[i], act);
                    if (writeDz)
                        dz[i] = g;
                    s += g;
                }
            }
            part[ry * BiasCols + cx] = s;
            Group.Barrier();
            if (ry == 0)
            {
                for (int w = 0; w < BiasRows && b0 + w < blocks; w++)
                    total += part[w * BiasCols + cx];
            }
            Group.Barrier();
        }
        if (ry == 0 && col < n && db.Length > 0)
            db[col] += total;
    }

    /// <summary>
    /// y[c,j] = x[c,j] + x[c+p,j] + ... (rows r &lt; m, r = c mod p) in row order: one thread per element of y, a
    /// warp reading consecutive columns of each row.
    /// </summary>
    public static void FoldRows(
        Index1D i,
        ArrayView<float> x, // [m,n]
        int m,
        int n,
        int p,
        ArrayView<float> y // [p,n]
    )
    {
        int c = i / n,
            j = i - c * n;
        float acc = x[i];
        for (int r = c + p; r < m; r += p)
            acc += x[r * n + j];
        y[i] = acc;
    }
}
