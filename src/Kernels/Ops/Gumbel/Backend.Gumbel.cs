namespace Untapped.Kernels;

// The Gumbel family's validated entries (the Gumbel-softmax (Concrete) sample and its log-density, with backwards):
// each public method checks its views once, then calls its backend's Core (the managed CPU's in Cpu*.cs, the ILGPU
// launch in Ilgpu*.cs of this folder).
public abstract partial class Backend
{
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
        Classes(k);
        Temperature(tau);
        Sizes(m, k).All(logits).AllOrEmpty(u).All(y);
        GumbelSoftmaxCore(new(logits, u, m, k, tau, y));
    }

    protected abstract void GumbelSoftmaxCore(in GumbelSoftmaxArgs args);

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
        Classes(k);
        Temperature(tau);
        Sizes(m, k).All(y).All(dy).All(dlogits);
        GumbelSoftmaxBackwardCore(new(y, dy, m, k, tau, dlogits));
    }

    protected abstract void GumbelSoftmaxBackwardCore(in GumbelSoftmaxBackwardArgs args);

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
        Classes(k);
        Temperature(tau);
        Sizes(m, k).All(logits).All(y).Rows(lp);
        ConcreteLogPdfCore(new(logits, y, m, k, tau, ConcreteLogNorm(k, tau), lp));
    }

    protected abstract void ConcreteLogPdfCore(in ConcreteLogPdfArgs args);

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
        Classes(k);
        Temperature(tau);
        Sizes(m, k).All(logits).All(y).Rows(g).All(dlogits).AllOrEmpty(dy);
        ConcreteLogPdfBackwardCore(new(logits, y, g, m, k, tau, dlogits, dy));
    }

    protected abstract void ConcreteLogPdfBackwardCore(in ConcreteLogPdfBackwardArgs args);

    /// <summary>log (k-1)! + (k-1) log tau: the project's float logs (<see cref="Fn.Log"/>), summed in double.</summary>
    public static float ConcreteLogNorm(int k, float tau)
    {
        double s = 0;
        for (int i = 2; i < k; i++)
            s += Fn.Log(i);
        return (float)(s + (k - 1) * (double)Fn.Log(tau));
    }

    // What each Core receives: the public method's arguments, validated (one record per operation).
    // csharpier-ignore-start
    protected readonly record struct GumbelSoftmaxArgs(View Logits, View U, int M, int K, float Tau, View Y);
    protected readonly record struct GumbelSoftmaxBackwardArgs(View Y, View Dy, int M, int K, float Tau, View Dlogits);
    protected readonly record struct ConcreteLogPdfArgs(View Logits, View Y, int M, int K, float Tau, float LogNorm, View Lp);
    protected readonly record struct ConcreteLogPdfBackwardArgs(View Logits, View Y, View G, int M, int K, float Tau, View Dlogits, View Dy);
    // csharpier-ignore-end
}
