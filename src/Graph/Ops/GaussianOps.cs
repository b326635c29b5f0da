namespace Untapped.Graph.Ops;

/// <summary>zt = mu + sigma * eps (reparameterised sample).</summary>
public sealed class GaussianSampleOp(string label, Tensor mu, Tensor sigma, Tensor eps, Tensor zt) : Op(label, [mu, sigma, eps], [zt])
{
    public override string Kind => "gaussian_sample";

    public override void Forward(Executor ex) =>
        ex.Accelerator.GaussianSample(ex.Value(Inputs[0]), ex.Value(Inputs[1]), ex.Value(Inputs[2]), Outputs[0].Length, ex.Value(Outputs[0]));

    public override void Backward(Executor ex) =>
        ex.Accelerator.GaussianSampleBackward(ex.Value(Inputs[2]), ex.Grad(Outputs[0]), Outputs[0].Length, ex.Grad(Inputs[0]), ex.Grad(Inputs[1]));
}

/// <summary>logN[r] = sum_d log N(zt; mu, sigma + 1e-5).</summary>
public sealed class GaussianLogPdfOp(string label, Tensor zt, Tensor mu, Tensor sigma, Tensor logN) : Op(label, [zt, mu, sigma], [logN])
{
    public override string Kind => "gaussian_logpdf";

    public override void Forward(Executor ex) =>
        ex.Accelerator.GaussianLogPdf(ex.Value(Inputs[0]), ex.Value(Inputs[1]), ex.Value(Inputs[2]), Inputs[0].Rows, Inputs[0].Cols, ex.Value(Outputs[0]));

    public override void Backward(Executor ex) =>
        ex.Accelerator.GaussianLogPdfBackward(ex.Value(Inputs[0]), ex.Value(Inputs[1]), ex.Value(Inputs[2]), ex.Grad(Outputs[0]),
            Inputs[0].Rows, Inputs[0].Cols, ex.Grad(Inputs[0]), ex.Grad(Inputs[1]), ex.Grad(Inputs[2]));
}
