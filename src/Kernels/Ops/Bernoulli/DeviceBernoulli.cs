namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>Bernoulli log-likelihood and samples; twin of CpuBernoulli.cs (this folder).</summary>
static class DeviceBernoulli
{
    /// <summary>
    /// logp[r] = sum_d x l - softplus(l), which is x log m + (1-x) log(1-m) with m = sigmoid(l) exactly in real
    /// arithmetic and free of the cancellation in 1 - m. The original form clips m to [1e-5, 1-1e-5], the same as
    /// clamping l to +-BernLogitClip. The CPU's term (CpuBackend.LogLikTerm on one lane) summed in its RowSum order:
    /// one group of RowGroup threads per row (grid: m).
    /// </summary>
    public static void BernoulliLogLik(
        ArrayView<float> x, // [m,d]
        ArrayView<float> logits, // [m,d]
        int d,
        BernoulliForm form,
        ArrayView<float> logp // [m]
    )
    {
        var shared = SharedMemory.Allocate<float>(RowGroup);
        int l = Group.IdxX,
            r = Grid.IdxX;
        var term = new Cpu.CpuBackend.LogLikTerm(form == BernoulliForm.Original);
        float s = 0f;
        for (int j = l; j < d; j += RowGroup)
            s += term.Invoke(new Cpu.Lane(x[r * d + j]), new Cpu.Lane(logits[r * d + j])).V;
        float t = GroupReduce.RowSum8(shared, s, l);
        if (l == 0)
            logp[r] = t;
    }

    /// <summary>
    /// BernoulliLogLik's row and g[r] d logp / d logits for each of its elements (<see cref="LogitGrad"/>), written
    /// without reading: the bits of BernoulliLogLik and an overwriting BernoulliLogLikBackward without dx. Each element
    /// computes its own exps (the CPU shares one; the bits are the same). Grid: m groups of RowGroup.
    /// </summary>
    public static void BernoulliLogLikAndGrad(
        ArrayView<float> x, // [m,d]
        ArrayView<float> logits, // [m,d]
        ArrayView<float> g, // [m]
        int d,
        BernoulliForm form,
        ArrayView<float> logp, // [m]
        ArrayView<float> dlogits // [m,d]
    )
    {
        var shared = SharedMemory.Allocate<float>(RowGroup);
        int l = Group.IdxX,
            r = Grid.IdxX;
        var term = new Cpu.CpuBackend.LogLikTerm(form == BernoulliForm.Original);
        float gr = g[r],
            s = 0f;
        for (int j = l; j < d; j += RowGroup)
        {
            float xv = x[r * d + j],
                lv = logits[r * d + j];
            s += term.Invoke(new Cpu.Lane(xv), new Cpu.Lane(lv)).V;
            dlogits[r * d + j] = gr * LogitGrad(xv, lv, form);
        }
        float t = GroupReduce.RowSum8(shared, s, l);
        if (l == 0)
            logp[r] = t;
    }

    /// <summary>d logp / d logit of one element: x - sigmoid l, zero outside the clip in the original form.</summary>
    static float LogitGrad(float xv, float lv, BernoulliForm form) =>
        form == BernoulliForm.Exact || MathF.Abs(lv) < BernLogitClip ? xv - Fn.Sigmoid(lv) : 0f;

    /// <summary>
    /// dlogits (+)= g[r] d logp / d logits (added when accumulating, else written without reading: it may hold NaN);
    /// dx += g[r] d logp / d x when <paramref name="hasDx"/>. The clipped mean passes gradient only strictly inside the
    /// clip; d logp / dx = log m - log(1-m) = the (clamped) logit. One thread per element.
    /// </summary>
    public static void BernoulliLogLikBackward(
        Index1D i,
        ArrayView<float> x, // [m,d]
        ArrayView<float> logits, // [m,d]
        ArrayView<float> g, // [m]
        int d,
        BernoulliForm form,
        Flag accumulate,
        Flag hasDl,
        Flag hasDx,
        ArrayView<float> dlogits, // [m,d] or empty
        ArrayView<float> dx // [m,d] or empty
    )
    {
        float gr = g[i / d],
            xv = x[i],
            lv = logits[i];
        float dl = LogitGrad(xv, lv, form),
            dxv = form == BernoulliForm.Exact ? lv : Fn.Clamp(lv, -BernLogitClip, BernLogitClip);
        if (hasDl)
            dlogits[i] = accumulate ? dlogits[i] + gr * dl : gr * dl;
        if (hasDx)
            dx[i] += gr * dxv;
    }

    /// <summary>
    /// dlogits[c,j] (+)= sum over rows r = c, c + p, ... (r &lt; m) in order of g[r] d logp[r] / d logits[r,j], each
    /// term BernoulliLogLikBackward's (gr dl), added as FoldRows adds: the bits of the whole-row gradient folded. The
    /// logits repeat every p rows, so row c's logit serves every row. One thread per element of the fold.
    /// </summary>
    public static void BernoulliLogLikBackwardFolded(
        Index1D i,
        ArrayView<float> x, // [m,d]
        ArrayView<float> logits, // [m,d], rows repeating every p
        ArrayView<float> g, // [m]
        int m,
        int d,
        int p,
        BernoulliForm form,
        Flag accumulate,
        ArrayView<float> dlogits // [p,d]
    )
    {
        int c = i / d,
            j = i - c * d;
        float lv = logits[i],
            s = Fn.Sigmoid(lv);
        bool live = form == BernoulliForm.Exact || MathF.Abs(lv) < BernLogitClip;
        float acc = g[c] * (live ? x[i] - s : 0f);
        for (int r = c + p; r < m; r += p)
            acc += g[r] * (live ? x[r * d + j] - s : 0f);
        dlogits[i] = accumulate ? dlogits[i] + acc : acc;
    }

    /// <summary>
    /// Hard: xs = [u &lt; m] (m clipped in the original form); relaxed: xs = sigmoid((logits + log u - log(1-u)) /
    /// tau).
    /// </summary>
    public static void BernoulliSample(
        Index1D i,
        ArrayView<float> logits, // [n]
        ArrayView<float> u, // [n]
        float tau,
        Flag relaxed,
        BernoulliForm form,
        ArrayView<float> xs // [n]
    )
    {
        float lv = logits[i],
            uv = u[i];
        if (relaxed)
        {
            xs[i] = new Cpu.CpuBackend.RelaxedSampleOp(tau).Invoke(new Cpu.Lane(lv), new Cpu.Lane(uv)).V;
            return;
        }
        float m = Fn.Sigmoid(lv);
        if (form == BernoulliForm.Original)
            m = Fn.Clamp(m, BernClip, 1f - BernClip);
        xs[i] = uv < m ? 1f : 0f;
    }

    /// <summary>Relaxed sample: dlogits (+)= dxs xs (1 - xs) / tau (written without reading unless accumulating).</summary>
    public static void BernoulliSampleBackward(
        Index1D i,
        ArrayView<float> xs, // [n]
        ArrayView<float> dxs, // [n]
        float tau,
        Flag accumulate,
        ArrayView<float> dlogits // [n]
    )
    {
        float s = xs[i];
        float v = dxs[i] * s * (1f - s) / tau;
        dlogits[i] = accumulate ? dlogits[i] + v : v;
    }
}
