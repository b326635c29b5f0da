namespace Untapped.Kernels;

// The Arena family's validated entries (operations over the flat arenas: the batch mean, fill, the squared-norm
// partials and the clipped Adam update): each public method checks its views once, then calls its backend's Core (the
// managed CPU's in Cpu*.cs, the ILGPU launch in Ilgpu*.cs of this folder).
public abstract partial class Backend
{
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
        Sizes(m).All(v).Holds(output, 1);
        RowMeanAccumulateCore(new(v, m, coef, output));
    }

    protected abstract void RowMeanAccumulateCore(in RowMeanAccumulateArgs args);

    /// <summary>out[i] = value.</summary>
    public void Fill(
        int n,
        float value,
        View output // [n]
    )
    {
        Sizes(n).All(output);
        FillCore(new(n, value, output));
    }

    protected abstract void FillCore(in FillArgs args);

    /// <summary>partials[g] = sum of x^2 over chunk g of <see cref="NormPartials"/> equal chunks of x.</summary>
    public void SumSquaresPartials(
        View x, // [n]
        int n,
        View partials // [NormPartials]
    )
    {
        Sizes(n).All(x).Holds(partials, NormPartials);
        SumSquaresPartialsCore(new(x, n, partials));
    }

    protected abstract void SumSquaresPartialsCore(in SumSquaresPartialsArgs args);

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
        Sizes(n).Holds(partials, NormPartials).All(parameters).All(grads).All(m).All(v);
        AdamCore(new(partials, n, step, parameters, grads, m, v));
    }

    protected abstract void AdamCore(in AdamArgs args);

    // What each Core receives: the public method's arguments, validated (one record per operation).
    // csharpier-ignore-start
    protected readonly record struct RowMeanAccumulateArgs(View V, int M, float Coef, View Output);
    protected readonly record struct FillArgs(int N, float Value, View Output);
    protected readonly record struct SumSquaresPartialsArgs(View X, int N, View Partials);
    protected readonly record struct AdamArgs(View Partials, int N, AdamStep Step, View Parameters, View Grads, View M, View V);
    // csharpier-ignore-end
}
