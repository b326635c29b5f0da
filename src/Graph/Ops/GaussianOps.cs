namespace Untapped.Graph;

/// <summary>zt = mu + sigma * eps (reparameterised sample).</summary>
public sealed class GaussianSampleOp(string label, Tensor mu, Tensor sigma, Tensor eps, Tensor zt)
    : Op(label, [mu, sigma, eps], [zt])
{
    public override string Kind => "gaussian_sample";

    public override void Forward(IOpContext c) =>
        c.Backend.GaussianSample(c.Value(mu), c.Value(sigma), c.Value(eps), zt.Length, c.Value(zt));

    public override void Backward(IOpContext c) =>
        c.Backend.GaussianSampleBackward(c.Value(eps), c.Grad(zt), zt.Length, c.Grad(mu), c.Grad(sigma));
}

/// <summary>logN[r] = sum_d log N(zt; mu, sigma + 1e-5).</summary>
public sealed class GaussianLogPdfOp(string label, Tensor zt, Tensor mu, Tensor sigma, Tensor logN)
    : Op(label, [zt, mu, sigma], [logN])
{
    public override string Kind => "gaussian_logpdf";

    public override void Forward(IOpContext c) =>
        c.Backend.GaussianLogPdf(c.Value(zt), c.Value(mu), c.Value(sigma), zt.Rows, zt.Cols, c.Value(logN));

    public override void Backward(IOpContext c) =>
        c.Backend.GaussianLogPdfBackward(
            c.Value(zt),
            c.Value(mu),
            c.Value(sigma),
            c.Grad(logN),
            zt.Rows,
            zt.Cols,
            c.Grad(zt),
            c.Grad(mu),
            c.Grad(sigma)
        );
}

// The graph's builder methods of this family: each makes its outputs and adds its op.
public sealed partial class ComputeGraph
{
    public Tensor GaussianSample(string label, Tensor mu, Tensor sigma, Tensor eps)
    {
        var zt = Out(label, mu.Rows, mu.Cols, mu, sigma);
        Add(new GaussianSampleOp(label, mu, sigma, eps, zt));
        return zt;
    }

    public Tensor GaussianLogPdf(string label, Tensor zt, Tensor mu, Tensor sigma)
    {
        var o = Out(label, zt.Rows, 1, zt, mu, sigma);
        Add(new GaussianLogPdfOp(label, zt, mu, sigma, o));
        return o;
    }
}
