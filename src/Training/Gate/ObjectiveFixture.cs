using Untapped.Checks;
using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Training.Model;

namespace Untapped.Training.Gate;

/// <summary>
/// An objective on an accelerator with small random batches and initialised parameters, built as the trainer builds it:
/// under `--unfeatured-z fixed` the unfeatured stream's (y, z) rows repeat every ten (its dense layers compute one
/// period forward and fold their backward onto it), so a device's check covers that path too.
/// </summary>
public sealed class ObjectiveFixture : IDisposable
{
    public Objective Objective { get; }
    public Executor Executor { get; }
    public Dictionary<Tensor, float[]> Inputs { get; } = new();

    /// <param name="fuseEpilogues">Off, every op runs on its own (<see cref="ComputeGraph.FuseEpilogues"/>).</param>
    public ObjectiveFixture(Backend acc, ModelConfig cfg, int batch, ulong seed, bool fuseEpilogues = true)
    {
        Objective = new Objective(cfg, batch, batch, batch, unfeaturedTiled: cfg.UnfeaturedZ == UnfeaturedZ.Fixed);
        Objective.Graph.FuseEpilogues = fuseEpilogues;
        Executor = new Executor(Objective.Graph, acc, seed);
        acc.CopyFromHost(Networks.Initialise(Objective.Graph.Parameters, seed), Executor.Parameters);
        var r = new Random((int)seed);
        float[] Bits(int n) => Enumerable.Range(0, n).Select(_ => r.NextDouble() < 0.3 ? 1f : 0f).ToArray();
        float[] OneHot(int rows)
        {
            var a = new float[rows * 10];
            for (int i = 0; i < rows; i++)
                a[i * 10 + r.Next(10)] = 1f;
            return a;
        }
        Inputs[Objective.XLabelled] = Bits(batch * 784);
        Inputs[Objective.YLabelled] = OneHot(batch);
        Inputs[Objective.XUnlabelled] = Bits(batch * 784);
        if (Objective.YUnfeatured is { } yf)
        {
            var soft = new float[batch * 10];
            for (int i = 0; i < batch; i++)
            {
                for (int k = 0; k < 10; k++)
                    soft[i * 10 + k] = k == i % 10 ? 0.95f : 0.05f / 9;
            }

            Inputs[yf] = soft;
            var z = Enumerable.Range(0, batch * 2).Select(_ => (float)(r.NextDouble() * 3 - 1.5)).ToArray();
            int period = Objective.ZUnfeatured!.RowPeriod; // 10 when tiled, else 0
            for (int i = 2 * period; period > 0 && i < z.Length; i++)
                z[i] = z[i - 2 * period];
            Inputs[Objective.ZUnfeatured!] = z;
        }
        foreach (var (t, v) in Inputs)
            Executor.SetInput(t, v);
    }

    public void Dispose() => Executor.Dispose();
}
