namespace Untapped.Kernels;

// The kernel catalogue (docs/kernels.md; the parts of one operation: docs/design.md, "One operation"). Each method:
// shape comments, validation, then the backend's Core.
public abstract partial class Backend
{
    /// <summary>
    /// out[i] ~ U(0,1) from Philox4x32-10: word i%4 of block i/4, counter {i/4, 0, step, stream}, key = seed.
    /// </summary>
    public void PhiloxUniform(
        ulong seed,
        uint stream,
        uint step,
        int n,
        View output // [n]
    )
    {
        Positive(n, nameof(n));
        In(output, nameof(output), n);
        PhiloxUniformCore(seed, stream, step, n, output);
    }

    protected abstract void PhiloxUniformCore(ulong seed, uint stream, uint step, int n, View output);

    /// <summary>out[i] ~ N(0,1): Box-Muller on the same Philox blocks as <see cref="PhiloxUniform"/>.</summary>
    public void PhiloxNormal(
        ulong seed,
        uint stream,
        uint step,
        int n,
        View output // [n]
    )
    {
        Positive(n, nameof(n));
        In(output, nameof(output), n);
        PhiloxNormalCore(seed, stream, step, n, output);
    }

    protected abstract void PhiloxNormalCore(ulong seed, uint stream, uint step, int n, View output);

    /// <summary>C = act(op(A) op(B) + bias + (accumulate ? C : 0)); op transposes when the flag is set.</summary>
    public void Gemm(
        View a, // [m,k] or [k,m]
        View b, // [k,n] or [n,k]
        View bias, // [n] or empty
        int m,
        int k,
        int n,
        bool transA,
        bool transB,
        Activation act,
        bool accumulate,
        View c // [m,n]
    )
    {
        Positive(m, nameof(m));
        Positive(k, nameof(k));
        Positive(n, nameof(n));
        In(a, nameof(a), (long)m * k);
        In(b, nameof(b), (long)k * n);
        Opt(bias, nameof(bias), n);
        In(c, nameof(c), (long)m * n);
        if (GemmTrace is { } trace)
        {
            trace.Record(this, m, k, n, transA, transB, act, accumulate, !bias.IsEmpty, () =>
                GemmCore(a, b, bias, m, k, n, transA, transB, act, accumulate, c)
            );
        }
        else
        {
            GemmCore(a, b, bias, m, k, n, transA, transB, act, accumulate, c);
        }
    }

    protected abstract void GemmCore(
        View a,
        View b,
        View bias,
        int m,
        int k,
        int n,
        bool transA,
        bool transB,
        Activation act,
        bool accumulate,
        View c
    );

    /// <summary>
    /// The dense layer's elementwise backward in one pass over dY: dZ[i,j] = dY[i,j] act'(x) computed from the
    /// layer output Y = act(x) (act' = 1 for none), and db[j] += sum_i dZ[i,j]. dZ may be dY itself (in place).
    /// </summary>
    public void ActBiasBackward(
        View y, // [m,n]
        View dy, // [m,n]
        int m,
        int n,
        Activation act,
        View dz, // [m,n]
        View db // [n]
    )
    {
        Positive(m, nameof(m));
        Positive(n, nameof(n));
        In(y, nameof(y), (long)m * n);
        In(dy, nameof(dy), (long)m * n);
        In(dz, nameof(dz), (long)m * n);
        In(db, nameof(db), n);
        ActBiasBackwardCore(y, dy, m, n, act, dz, db);
    }

    protected abstract void ActBiasBackwardCore(View y, View dy, int m, int n, Activation act, View dz, View db);

    /// <summary>
    /// logp[r] = sum_d x log m + (1-x) log(1-m), m = sigmoid(logits) (clipped to [1e-5, 1-1e-5] in the original form).
    /// </summary>
    public void BernoulliLogLik(
        View x, // [m,d]
        View logits, // [m,d]
        int m,
        int d,
        BernoulliForm form,
        View logp // [m]
    )
    {
        Positive(m, nameof(m));
        Positive(d, nameof(d));
        In(x, nameof(x), (long)m * d);
        In(logits, nameof(logits), (long)m * d);
        In(logp, nameof(logp), m);
        BernoulliLogLikCore(x, logits, m, d, form, logp);
    }

    protected abstract void BernoulliLogLikCore(View x, View logits, int m, int d, BernoulliForm form, View logp);

    /// <summary>
    /// dlogits (+)= g[r] d logp/d logits, added when <paramref name="accumulate"/>, else written without reading the
    /// old contents (which may be anything, NaN included); dx += g[r] d logp/d x (dx optional, always added).
    /// </summary>
    public void BernoulliLogLikBackward(
        View x, // [m,d]
        View logits, // [m,d]
        View g, // [m]
        int m,
        int d,
        BernoulliForm form,
        bool accumulate,
        View dlogits, // [m,d]
        View dx // [m,d] or empty
    )
    {
        Positive(m, nameof(m));
        Positive(d, nameof(d));
        In(x, nameof(x), (long)m * d);
        In(logits, nameof(logits), (long)m * d);
        In(g, nameof(g), m);
        In(dlogits, nameof(dlogits), (long)m * d);
        Opt(dx, nameof(dx), (long)m * d);
        BernoulliLogLikBackwardCore(x, logits, g, m, d, form, accumulate, dlogits, dx);
    }

    protected abstract void BernoulliLogLikBackwardCore(
        View x,
        View logits,
        View g,
        int m,
        int d,
        BernoulliForm form,
        bool accumulate,
        View dlogits,
        View dx
    );

    /// <summary>Hard: xs = [u &lt; m]; relaxed: xs = sigmoid((logits + log u - log(1-u)) / tau).</summary>
    public void BernoulliSample(
        View logits, // [n]
        View u, // [n]
        int n,
        float tau,
        bool relaxed,
        BernoulliForm form,
        View xs // [n]
    )
    {
        Positive(n, nameof(n));
        if (relaxed)
            Temperature(tau);
        In(logits, nameof(logits), n);
        In(u, nameof(u), n);
        In(xs, nameof(xs), n);
        BernoulliSampleCore(logits, u, n, tau, relaxed, form, xs);
    }

    protected abstract void BernoulliSampleCore(
        View logits,
        View u,
        int n,
        float tau,
        bool relaxed,
        BernoulliForm form,
        View xs
    );

    /// <summary>Relaxed sample: dlogits += dxs * xs (1 - xs) / tau.</summary>
    public void BernoulliSampleBackward(
        View xs, // [n]
        View dxs, // [n]
        int n,
        float tau,
        View dlogits // [n]
    )
    {
        Positive(n, nameof(n));
        Temperature(tau);
        In(xs, nameof(xs), n);
        In(dxs, nameof(dxs), n);
        In(dlogits, nameof(dlogits), n);
        BernoulliSampleBackwardCore(xs, dxs, n, tau, dlogits);
    }

    protected abstract void BernoulliSampleBackwardCore(View xs, View dxs, int n, float tau, View dlogits);

    /// <summary>zt = mu + sigma * eps.</summary>
    public void GaussianSample(
        View mu, // [n]
        View sigma, // [n]
        View eps, // [n]
        int n,
        View zt // [n]
    )
    {
        Positive(n, nameof(n));
        In(mu, nameof(mu), n);
        In(sigma, nameof(sigma), n);
        In(eps, nameof(eps), n);
        In(zt, nameof(zt), n);
        GaussianSampleCore(mu, sigma, eps, n, zt);
    }

    protected abstract void GaussianSampleCore(View mu, View sigma, View eps, int n, View zt);

    /// <summary>dmu += dzt; dsigma += dzt * eps.</summary>
    public void GaussianSampleBackward(
        View eps, // [n]
        View dzt, // [n]
        int n,
        View dmu, // [n]
        View dsigma // [n]
    )
    {
        Positive(n, nameof(n));
        In(eps, nameof(eps), n);
        In(dzt, nameof(dzt), n);
        In(dmu, nameof(dmu), n);
        In(dsigma, nameof(dsigma), n);
        GaussianSampleBackwardCore(eps, dzt, n, dmu, dsigma);
    }

    protected abstract void GaussianSampleBackwardCore(View eps, View dzt, int n, View dmu, View dsigma);

    /// <summary>logN[r] = sum_d log N(zt; mu, sigma + 1e-5).</summary>
    public void GaussianLogPdf(
        View zt, // [m,d]
        View mu, // [m,d]
        View sigma, // [m,d]
        int m,
        int d,
        View logN // [m]
    )
    {
        Positive(m, nameof(m));
        Positive(d, nameof(d));
        long md = (long)m * d;
        In(zt, nameof(zt), md);
        In(mu, nameof(mu), md);
        In(sigma, nameof(sigma), md);
        In(logN, nameof(logN), m);
        GaussianLogPdfCore(zt, mu, sigma, m, d, logN);
    }

    protected abstract void GaussianLogPdfCore(View zt, View mu, View sigma, int m, int d, View logN);

    /// <summary>dzt (optional), dmu, dsigma += g[r] * partial derivatives of logN[r].</summary>
    public void GaussianLogPdfBackward(
        View zt, // [m,d]
        View mu, // [m,d]
        View sigma, // [m,d]
        View g, // [m]
        int m,
        int d,
        View dzt, // [m,d] or empty
        View dmu, // [m,d]
        View dsigma // [m,d]
    )
    {
        Positive(m, nameof(m));
        Positive(d, nameof(d));
        long md = (long)m * d;
        In(zt, nameof(zt), md);
        In(mu, nameof(mu), md);
        In(sigma, nameof(sigma), md);
        In(g, nameof(g), m);
        Opt(dzt, nameof(dzt), md);
        In(dmu, nameof(dmu), md);
        In(dsigma, nameof(dsigma), md);
        GaussianLogPdfBackwardCore(zt, mu, sigma, g, m, d, dzt, dmu, dsigma);
    }

    protected abstract void GaussianLogPdfBackwardCore(
        View zt,
        View mu,
        View sigma,
        View g,
        int m,
        int d,
        View dzt,
        View dmu,
        View dsigma
    );

    /// <summary>z = lo + (hi-lo) sigmoid(zt); logdet[r] per <paramref name="form"/> (docs/model.md §3).</summary>
    public void LogisticFlow(
        View zt, // [m,d]
        int m,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        View z, // [m,d]
        View logdet // [m]
    )
    {
        Positive(m, nameof(m));
        Positive(d, nameof(d));
        Box(lo, hi);
        In(zt, nameof(zt), (long)m * d);
        In(z, nameof(z), (long)m * d);
        In(logdet, nameof(logdet), m);
        LogisticFlowCore(zt, m, d, lo, hi, form, z, logdet);
    }

    protected abstract void LogisticFlowCore(
        View zt,
        int m,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        View z,
        View logdet
    );

    /// <summary>dzt += dz * dz/dzt + dlogdet[r] * dlogdet/dzt.</summary>
    public void LogisticFlowBackward(
        View zt, // [m,d]
        View dz, // [m,d]
        View dlogdet, // [m]
        int m,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        View dzt // [m,d]
    )
    {
        Positive(m, nameof(m));
        Positive(d, nameof(d));
        Box(lo, hi);
        long md = (long)m * d;
        In(zt, nameof(zt), md);
        In(dz, nameof(dz), md);
        In(dlogdet, nameof(dlogdet), m);
        In(dzt, nameof(dzt), md);
        LogisticFlowBackwardCore(zt, dz, dlogdet, m, d, lo, hi, form, dzt);
    }

    protected abstract void LogisticFlowBackwardCore(
        View zt,
        View dz,
        View dlogdet,
        int m,
        int d,
        float lo,
        float hi,
        LogDetForm form,
        View dzt
    );

    /// <summary>zt = logit(clip((z - lo)/(hi - lo), 1e-5, 1 - 1e-5)).</summary>
    public void LogisticFlowInverse(
        View z, // [n]
        int n,
        float lo,
        float hi,
        View zt // [n]
    )
    {
        Positive(n, nameof(n));
        Box(lo, hi);
        In(z, nameof(z), n);
        In(zt, nameof(zt), n);
        LogisticFlowInverseCore(z, n, lo, hi, zt);
    }

    protected abstract void LogisticFlowInverseCore(View z, int n, float lo, float hi, View zt);

    /// <summary>
    /// y = softmax((logits + g)/tau), g = -log(max(-log(u + 1e-4) + 1e-4, 1e-20)) (the floor guards float rounding near
    /// u = 1); an empty <paramref name="u"/> gives softmax(logits/tau).
    /// </summary>
    public void GumbelSoftmax(
        View logits, // [m,k]
        View u, // [m,k] or empty
        int m,
        int k,
        float tau,
        View y // [m,k]
    )
    {
        Positive(m, nameof(m));
        Classes(k);
        Temperature(tau);
        In(logits, nameof(logits), (long)m * k);
        Opt(u, nameof(u), (long)m * k);
        In(y, nameof(y), (long)m * k);
        GumbelSoftmaxCore(logits, u, m, k, tau, y);
    }

    protected abstract void GumbelSoftmaxCore(View logits, View u, int m, int k, float tau, View y);

    /// <summary>dlogits += y (dy - &lt;dy, y&gt;) / tau.</summary>
    public void GumbelSoftmaxBackward(
        View y, // [m,k]
        View dy, // [m,k]
        int m,
        int k,
        float tau,
        View dlogits // [m,k]
    )
    {
        Positive(m, nameof(m));
        Classes(k);
        Temperature(tau);
        long mk = (long)m * k;
        In(y, nameof(y), mk);
        In(dy, nameof(dy), mk);
        In(dlogits, nameof(dlogits), mk);
        GumbelSoftmaxBackwardCore(y, dy, m, k, tau, dlogits);
    }

    protected abstract void GumbelSoftmaxBackwardCore(View y, View dy, int m, int k, float tau, View dlogits);

    /// <summary>
    /// lp[r] = log (k-1)! + (k-1) log tau - k LSE_i(lsm_i - tau log y_i) + sum_i (lsm_i - (tau+1) log y_i),
    /// lsm = log_softmax(logits): the Concrete(softmax(logits), tau) log-density of y (log y floored at 1e-30).
    /// </summary>
    public void ConcreteLogPdf(
        View logits, // [m,k]
        View y, // [m,k]
        int m,
        int k,
        float tau,
        View lp // [m]
    )
    {
        Positive(m, nameof(m));
        Classes(k);
        Temperature(tau);
        long mk = (long)m * k;
        In(logits, nameof(logits), mk);
        In(y, nameof(y), mk);
        In(lp, nameof(lp), m);
        ConcreteLogPdfCore(logits, y, m, k, tau, ConcreteLogNorm(k, tau), lp);
    }

    protected abstract void ConcreteLogPdfCore(View logits, View y, int m, int k, float tau, float logNorm, View lp);

    /// <summary>
    /// With w = softmax(lsm - tau log y): dlogits += g (1 - k w); dy += g (k tau w - tau - 1) / y (dy optional).
    /// </summary>
    public void ConcreteLogPdfBackward(
        View logits, // [m,k]
        View y, // [m,k]
        View g, // [m]
        int m,
        int k,
        float tau,
        View dlogits, // [m,k]
        View dy // [m,k] or empty
    )
    {
        Positive(m, nameof(m));
        Classes(k);
        Temperature(tau);
        long mk = (long)m * k;
        In(logits, nameof(logits), mk);
        In(y, nameof(y), mk);
        In(g, nameof(g), m);
        In(dlogits, nameof(dlogits), mk);
        Opt(dy, nameof(dy), mk);
        ConcreteLogPdfBackwardCore(logits, y, g, m, k, tau, dlogits, dy);
    }

    protected abstract void ConcreteLogPdfBackwardCore(
        View logits,
        View y,
        View g,
        int m,
        int k,
        float tau,
        View dlogits,
        View dy
    );

    /// <summary>log (k-1)! + (k-1) log tau, computed in double.</summary>
    public static float ConcreteLogNorm(int k, float tau)
    {
        double s = 0;
        for (int i = 2; i < k; i++)
            s += Math.Log(i);
        return (float)(s + (k - 1) * Math.Log(tau));
    }

    /// <summary>loss[r] = -log max(&lt;target[r], p[r]&gt;, 1e-6) with one-hot targets.</summary>
    public void ClippedCrossEntropy(
        View p, // [m,k]
        View target, // [m,k]
        int m,
        int k,
        View loss // [m]
    )
    {
        Positive(m, nameof(m));
        Classes(k);
        In(p, nameof(p), (long)m * k);
        In(target, nameof(target), (long)m * k);
        In(loss, nameof(loss), m);
        ClippedCrossEntropyCore(p, target, m, k, loss);
    }

    protected abstract void ClippedCrossEntropyCore(View p, View target, int m, int k, View loss);

    /// <summary>dp += -g target / p_true where p_true &gt; 1e-6.</summary>
    public void ClippedCrossEntropyBackward(
        View p, // [m,k]
        View target, // [m,k]
        View g, // [m]
        int m,
        int k,
        View dp // [m,k]
    )
    {
        Positive(m, nameof(m));
        Classes(k);
        long mk = (long)m * k;
        In(p, nameof(p), mk);
        In(target, nameof(target), mk);
        In(g, nameof(g), m);
        In(dp, nameof(dp), mk);
        ClippedCrossEntropyBackwardCore(p, target, g, m, k, dp);
    }

    protected abstract void ClippedCrossEntropyBackwardCore(View p, View target, View g, int m, int k, View dp);

    /// <summary>dist[r] = ||a[r] - b[r]||_2.</summary>
    public void L2Distance(
        View a, // [m,d]
        View b, // [m,d]
        int m,
        int d,
        View dist // [m]
    )
    {
        Positive(m, nameof(m));
        Positive(d, nameof(d));
        In(a, nameof(a), (long)m * d);
        In(b, nameof(b), (long)m * d);
        In(dist, nameof(dist), m);
        L2DistanceCore(a, b, m, d, dist);
    }

    protected abstract void L2DistanceCore(View a, View b, int m, int d, View dist);

    /// <summary>
    /// da (+)= g (a - b) / dist (zero where dist = 0): added when <paramref name="accumulate"/>, else written without
    /// reading the old contents.
    /// </summary>
    public void L2DistanceBackward(
        View a, // [m,d]
        View b, // [m,d]
        View dist, // [m]
        View g, // [m]
        int m,
        int d,
        bool accumulate,
        View da // [m,d]
    )
    {
        Positive(m, nameof(m));
        Positive(d, nameof(d));
        long md = (long)m * d;
        In(a, nameof(a), md);
        In(b, nameof(b), md);
        In(dist, nameof(dist), m);
        In(g, nameof(g), m);
        In(da, nameof(da), md);
        L2DistanceBackwardCore(a, b, dist, g, m, d, accumulate, da);
    }

    protected abstract void L2DistanceBackwardCore(
        View a,
        View b,
        View dist,
        View g,
        int m,
        int d,
        bool accumulate,
        View da
    );

    /// <summary>out[0] += coef * mean(v).</summary>
    public void RowMeanAccumulate(
        View v, // [m]
        int m,
        float coef,
        View output // [1]
    )
    {
        if (m < 1)
            throw new ArgumentOutOfRangeException(nameof(m), "a mean needs at least one row");
        In(v, nameof(v), m);
        In(output, nameof(output), 1);
        RowMeanAccumulateCore(v, m, coef, output);
    }

    protected abstract void RowMeanAccumulateCore(View v, int m, float coef, View output);

    /// <summary>out[i] = value.</summary>
    public void Fill(
        int n,
        float value,
        View output // [n]
    )
    {
        Positive(n, nameof(n));
        In(output, nameof(output), n);
        FillCore(n, value, output);
    }

    protected abstract void FillCore(int n, float value, View output);

    /// <summary>partials[g] = sum of x^2 over chunk g of <see cref="NormPartials"/> equal chunks of x.</summary>
    public void SumSquaresPartials(
        View x, // [n]
        int n,
        View partials // [NormPartials]
    )
    {
        Positive(n, nameof(n));
        In(x, nameof(x), n);
        In(partials, nameof(partials), NormPartials);
        SumSquaresPartialsCore(x, n, partials);
    }

    protected abstract void SumSquaresPartialsCore(View x, int n, View partials);

    /// <summary>
    /// Clip (global norm from <paramref name="partials"/>, then per element) and one Adam step over the flat
    /// parameter buffer: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= stepSize m / (sqrt(v) + eps).
    /// </summary>
    public void Adam(
        View partials, // [NormPartials]
        int n,
        AdamStep step,
        View parameters, // [n]
        View grads, // [n]
        View m, // [n]
        View v // [n]
    )
    {
        Positive(n, nameof(n));
        In(partials, nameof(partials), NormPartials);
        In(parameters, nameof(parameters), n);
        In(grads, nameof(grads), n);
        In(m, nameof(m), n);
        In(v, nameof(v), n);
        AdamCore(partials, n, step, parameters, grads, m, v);
    }

    protected abstract void AdamCore(View partials, int n, AdamStep step, View parameters, View grads, View m, View v);

    static void Box(float lo, float hi)
    {
        if (!(hi > lo) || float.IsInfinity(hi - lo))
            throw new ArgumentOutOfRangeException(nameof(hi), $"flow box ({lo}, {hi}) must have lo < hi");
    }
}
