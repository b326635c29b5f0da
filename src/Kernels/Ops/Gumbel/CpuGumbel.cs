namespace Untapped.Kernels.Cpu;

// The managed CPU side of the Gumbel family: the rows of GumbelRows.cs (this folder), which the device kernels run
// too, over chunks of rows, each chunk with its own scratch and its elementwise inputs (the Gumbel noise, log y)
// computed first by one vector pass.
public sealed partial class CpuBackend
{
    protected override void GumbelSoftmaxCore(in GumbelSoftmaxArgs args)
    {
        var (logits, u, m, k, tau, y) = args;
        Mem L = A(logits),
            U = A(u),
            Y = A(y);
        bool noise = !u.IsEmpty;
        Chunks(m, Grain(k * 16), (s, e) =>
        {
            var a = Scratch(k);
            var g = noise ? Precomputed.Of<GumbelNoiseOp>(U, s * k, (e - s) * k) : default;
            for (int r = s; r < e; r++)
                GumbelRows.Softmax(r, L, g, k, tau, noise, Y, a);
        });
    }

    protected override void GumbelSoftmaxBackwardCore(in GumbelSoftmaxBackwardArgs args)
    {
        var (y, dy, m, k, tau, dlogits) = args;
        ForEach(m, Grain(k * 4), r => GumbelRows.SoftmaxBackward(r, A(y), A(dy), k, tau, A(dlogits)));
    }

    protected override void ConcreteLogPdfCore(in ConcreteLogPdfArgs args)
    {
        var (logits, y, m, k, tau, logNorm, lp) = args;
        Mem L = A(logits),
            Y = A(y),
            O = A(lp);
        Chunks(m, Grain(k * 16), (s, e) =>
        {
            var t = Scratch(k);
            var logY = Precomputed.Of<LogFlooredOp>(Y, s * k, (e - s) * k);
            for (int r = s; r < e; r++)
                GumbelRows.ConcreteLogPdf(r, L, logY, k, tau, logNorm, O, t);
        });
    }

    protected override void ConcreteLogPdfBackwardCore(in ConcreteLogPdfBackwardArgs args)
    {
        var (logits, y, g, m, k, tau, dlogits, dy) = args;
        Mem L = A(logits),
            Y = A(y),
            G = A(g),
            DL = A(dlogits),
            DY = A(dy);
        bool hasDy = !dy.IsEmpty;
        Chunks(m, Grain(k * 16), (s, e) =>
        {
            var t = Scratch(k);
            var logY = Precomputed.Of<LogFlooredOp>(Y, s * k, (e - s) * k);
            for (int r = s; r < e; r++)
                GumbelRows.ConcreteLogPdfBackward(r, L, Y, logY, G, k, tau, hasDy, DL, DY, t);
        });
    }
}
