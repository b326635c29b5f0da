namespace Untapped.Kernels;

/// <summary>
/// The part shared by the OpenCL and CUDA backends: each catalogue op becomes one launch of the same-named
/// kernel from Device/*.cl with its work sizes. A backend only has to provide buffers, copies and Launch.
/// </summary>
public abstract class DeviceAccelerator : Accelerator
{
    const int Local = 256, RowsLocal = 64, RowWg = 128, GemmTile = 64;
    DeviceBuffer? _dummy;

    /// <summary>Enqueues kernel <paramref name="kernel"/> over <paramref name="global"/> work-items in groups of <paramref name="local"/>.</summary>
    protected abstract void Launch(string kernel, Dim3 global, Dim3 local, ReadOnlySpan<KernelArg> args);

    /// <summary>A raw launch, for tests of how launch failures are reported.</summary>
    internal void LaunchRaw(string kernel, Dim3 global, Dim3 local, params KernelArg[] args) => Launch(kernel, global, local, args);

    // Optional views still need a valid pointer on the device; the kernel ignores it (its has* flag is 0).
    View O(View v) => v.IsEmpty ? (_dummy ??= Allocate(1)).View : v;

    static int Up(int n, int m) => (Math.Max(n, 1) + m - 1) / m * m;

    void Elementwise(string k, int n, params ReadOnlySpan<KernelArg> a) => Launch(k, new(Up(n, Local)), new(Local), a);
    void PerRow(string k, int m, params ReadOnlySpan<KernelArg> a) => Launch(k, new(Up(m, RowsLocal)), new(RowsLocal), a);
    void GroupPerRow(string k, int m, params ReadOnlySpan<KernelArg> a) => Launch(k, new(RowWg * Math.Max(m, 1)), new(RowWg), a);
    static int Blocks(int n) => (n + 3) / 4;

    protected override void PhiloxUniformCore(ulong seed, uint stream, uint step, int n, View output) =>
        Elementwise("philox_uniform", Blocks(n), n, (uint)seed, (uint)(seed >> 32), stream, step, output);

    protected override void PhiloxNormalCore(ulong seed, uint stream, uint step, int n, View output) =>
        Elementwise("philox_normal", Blocks(n), n, (uint)seed, (uint)(seed >> 32), stream, step, output);

    protected override void GemmCore(View a, View b, View bias, int m, int k, int n, bool transA, bool transB, Activation act, bool accumulate, View c)
    {
        if (m == 0 || n == 0) return;
        var global = new Dim3((n + GemmTile - 1) / GemmTile * 16, (m + GemmTile - 1) / GemmTile * 16);
        Launch("gemm", global, new Dim3(16, 16), [a, b, O(bias), m, k, n, transA, transB, !bias.IsEmpty, (int)act, accumulate, c]);
    }

    // dZ is written unless it is dY itself and there is no activation to apply.
    protected override void ActBiasBackwardCore(View y, View dy, int m, int n, Activation act, View dz, View db) =>
        Launch("act_bias_backward", new Dim3(Up(n, 32), 8), new Dim3(32, 8),
            [y, dy, m, n, (int)act, act != Activation.None || !dz.Equals(dy), dz, db]);

    protected override void BernoulliLogLikCore(View x, View logits, int m, int d, BernoulliForm form, View logp) =>
        GroupPerRow("bernoulli_loglik", m, x, logits, m, d, (int)form, logp);

    protected override void BernoulliLogLikBackwardCore(View x, View logits, View g, int m, int d, BernoulliForm form, bool accumulate, View dlogits, View dx) =>
        Elementwise("bernoulli_loglik_backward", m * d, x, logits, g, m, d, (int)form, accumulate, !dx.IsEmpty, dlogits, O(dx));

    protected override void BernoulliSampleCore(View logits, View u, int n, float tau, bool relaxed, BernoulliForm form, View xs) =>
        Elementwise("bernoulli_sample", n, logits, u, n, tau, relaxed, (int)form, xs);

    protected override void BernoulliSampleBackwardCore(View xs, View dxs, int n, float tau, View dlogits) =>
        Elementwise("bernoulli_sample_backward", n, xs, dxs, n, tau, dlogits);

    protected override void GaussianSampleCore(View mu, View sigma, View eps, int n, View zt) =>
        Elementwise("gaussian_sample", n, mu, sigma, eps, n, zt);

    protected override void GaussianSampleBackwardCore(View eps, View dzt, int n, View dmu, View dsigma) =>
        Elementwise("gaussian_sample_backward", n, eps, dzt, n, dmu, dsigma);

    protected override void GaussianLogPdfCore(View zt, View mu, View sigma, int m, int d, View logN) =>
        PerRow("gaussian_logpdf", m, zt, mu, sigma, m, d, logN);

    protected override void GaussianLogPdfBackwardCore(View zt, View mu, View sigma, View g, int m, int d, View dzt, View dmu, View dsigma) =>
        Elementwise("gaussian_logpdf_backward", m * d, zt, mu, sigma, g, m, d, !dzt.IsEmpty, O(dzt), dmu, dsigma);

    protected override void LogisticFlowCore(View zt, int m, int d, float lo, float hi, LogDetForm form, View z, View logdet) =>
        PerRow("logistic_flow", m, zt, m, d, lo, hi, (int)form, z, logdet);

    protected override void LogisticFlowBackwardCore(View zt, View dz, View dlogdet, int m, int d, float lo, float hi, LogDetForm form, View dzt) =>
        PerRow("logistic_flow_backward", m, zt, dz, dlogdet, m, d, lo, hi, (int)form, dzt);

    protected override void LogisticFlowInverseCore(View z, int n, float lo, float hi, View zt) =>
        Elementwise("logistic_flow_inverse", n, z, n, lo, hi, zt);

    protected override void GumbelSoftmaxCore(View logits, View u, int m, int k, float tau, View y) =>
        PerRow("gumbel_softmax", m, logits, O(u), m, k, tau, !u.IsEmpty, y);

    protected override void GumbelSoftmaxBackwardCore(View y, View dy, int m, int k, float tau, View dlogits) =>
        PerRow("gumbel_softmax_backward", m, y, dy, m, k, tau, dlogits);

    protected override void ConcreteLogPdfCore(View logits, View y, int m, int k, float tau, float logNorm, View lp) =>
        PerRow("concrete_logpdf", m, logits, y, m, k, tau, logNorm, lp);

    protected override void ConcreteLogPdfBackwardCore(View logits, View y, View g, int m, int k, float tau, View dlogits, View dy) =>
        PerRow("concrete_logpdf_backward", m, logits, y, g, m, k, tau, !dy.IsEmpty, dlogits, O(dy));

    protected override void ClippedCrossEntropyCore(View p, View target, int m, int k, View loss) =>
        PerRow("clipped_ce", m, p, target, m, k, loss);

    protected override void ClippedCrossEntropyBackwardCore(View p, View target, View g, int m, int k, View dp) =>
        PerRow("clipped_ce_backward", m, p, target, g, m, k, dp);

    protected override void L2DistanceCore(View a, View b, int m, int d, View dist) =>
        GroupPerRow("l2_distance", m, a, b, m, d, dist);

    protected override void L2DistanceBackwardCore(View a, View b, View dist, View g, int m, int d, bool accumulate, View da) =>
        Elementwise("l2_distance_backward", m * d, a, b, dist, g, m, d, accumulate, da);

    protected override void RowMeanAccumulateCore(View v, int m, float coef, View output) =>
        Launch("row_mean_accumulate", new Dim3(Local), new Dim3(Local), [v, m, coef, output]);

    protected override void FillCore(int n, float value, View output)
    {
        if (n > 0) Elementwise("fill", n, n, value, output);
    }

    protected override void SumSquaresPartialsCore(View x, int n, View partials) =>
        Launch("sum_squares_partials", new Dim3(NormPartials * Local), new Dim3(Local), [x, n, NormPartials, partials]);

    protected override void AdamCore(View partials, int n, AdamStep s, View parameters, View grads, View m, View v) =>
        Elementwise("adam", n, partials, n, s.StepSize, s.Beta1, s.Beta2, s.Eps, s.ClipNorm, s.ClipValue, parameters, grads, m, v);

    public override void Dispose()
    {
        _dummy?.Dispose();
        base.Dispose();
    }
}
