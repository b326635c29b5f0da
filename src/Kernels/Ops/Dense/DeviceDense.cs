namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// The dense layer's elementwise backward; twin of CpuDense.cs in this folder (the GEMMs are in <see
/// cref="DeviceGemm"/>).
/// </summary>
static class DeviceDense
{
    /// <summary>
    /// dZ[i,j] = dY[i,j] act'(x) from the output Y = act(x) (written when <paramref name="writeDz"/>), and
    /// db[j] += sum_i dZ[i,j]. Groups of BiasCols columns x BiasRows row lanes (grid: column groups): a warp reads
    /// consecutive floats of a row; lane r sums rows r, r + BiasRows, ..., and the lanes are added in a fixed tree.
    /// </summary>
    public static void ActBiasBackward(
        ArrayView<float> y, // [m,n]
        ArrayView<float> dy, // [m,n]
        int m,
        int n,
        Activation act,
        Flag writeDz,
        ArrayView<float> dz, // [m,n]
        ArrayView<float> db // [n]
    )
    {
        var part = SharedMemory.Allocate<float>(BiasRows * BiasCols); // [row lane, column]
        int cx = Group.IdxX,
            ry = Group.IdxY,
            col = Grid.IdxX * BiasCols + cx;
        float s = 0f;
        if (col < n)
        {
            for (int r = ry; r < m; r += BiasRows)
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
        for (int w = BiasRows / 2; w > 0; w >>= 1)
        {
            if (ry < w)
                part[ry * BiasCols + cx] += part[(ry + w) * BiasCols + cx];
            Group.Barrier();
        }
        if (ry == 0 && col < n)
            db[col] += part[cx];
    }
}
