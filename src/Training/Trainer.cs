using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Training.Data;
using Untapped.Training.Model;

namespace Untapped.Training;

/// <summary>Training stopped because a loss became NaN or infinite.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>Mean loss terms and speed of one epoch.</summary>
public sealed record EpochMetrics(int Epoch, double LearningRate, IReadOnlyDictionary<string, double> Losses, double StepMs, double SamplesPerSecond, double Seconds);

/// <summary>
/// SPEC 5: one optimiser step takes one batch of each stream; steps per epoch = ceil(|labelled| / batch);
/// each stream wraps around inside an epoch and is reshuffled every epoch. Every draw (shuffles, unfeatured z,
/// kernel noise) is a function of (seed, epoch or step), so an epoch can be re-run exactly, e.g. on resume.
/// </summary>
public sealed class Trainer : IDisposable
{
    const uint ShuffleStream = 0xF000_0010, FixedZStream = 0xF000_0020, ResampleZStream = 0xF000_0021;
    readonly ExperimentData _data;
    readonly float[] _xl, _yl, _xu, _yf, _zf, _fixedZ;

    public Trainer(ModelConfig cfg, ExperimentData data, Accelerator acc, int batch, ulong seed)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), $"batch must be at least 1, got {batch}");
        Config = cfg;
        _data = data;
        Batch = batch;
        Seed = seed;
        Objective = new Objective(cfg, batch, batch, batch);
        Executor = new Executor(Objective.Graph, acc, seed);
        acc.CopyFromHost(Networks.Initialise(Objective.Graph.Parameters, seed), Executor.Parameters);
        _xl = new float[batch * Mnist.Pixels]; _yl = new float[batch * 10]; _xu = new float[batch * Mnist.Pixels];
        _yf = new float[batch * 10]; _zf = new float[batch * 2];
        _fixedZ = new float[20];
        Philox.Uniform(seed, FixedZStream, 0, 0, _fixedZ);
        for (int i = 0; i < _fixedZ.Length; i++) _fixedZ[i] = (2 * _fixedZ[i] - 1) * ModelConfig.UnfeaturedZRange;
        for (int r = 0; r < batch; r++) ExperimentData.Corner(r % 10).CopyTo(_yf, r * 10);
    }

    public ModelConfig Config { get; }
    public Objective Objective { get; }
    public Executor Executor { get; }
    public int Batch { get; }
    public ulong Seed { get; }
    public int StepsPerEpoch => (_data.Labelled.Length + Batch - 1) / Batch;

    /// <summary>A permutation of [0, n) for (stream, epoch): indices sorted by Philox keys.</summary>
    int[] Shuffle(int stream, int epoch, int n)
    {
        var keys = new float[n];
        Philox.Uniform(Seed, ShuffleStream + (uint)stream, (uint)epoch, 0, keys);
        var idx = Enumerable.Range(0, n).ToArray();
        Array.Sort(keys, idx);
        return idx;
    }

    void Fill(int[] order, int[] pool, int step, float[] x, float[]? y)
    {
        for (int j = 0; j < Batch; j++)
        {
            int i = pool[order[(step * Batch + j) % order.Length]];
            _data.Pool.Image(i).CopyTo(x.AsSpan(j * Mnist.Pixels));
            if (y is null) continue;
            Array.Clear(y, j * 10, 10);
            y[j * 10 + _data.Pool.Labels[i]] = 1f;
        }
    }

    /// <summary>Runs epoch <paramref name="epoch"/> (0-based). <paramref name="onStep"/> gets (step, steps, total loss).</summary>
    public EpochMetrics RunEpoch(int epoch, Action<int, int, float>? onStep = null)
    {
        var ex = Executor;
        var acc = ex.Accelerator;
        double lr = Config.LearningRateAt(epoch);
        var orderL = Shuffle(0, epoch, _data.Labelled.Length);
        var orderU = Shuffle(1, epoch, _data.Unlabelled.Length);
        var names = Objective.TermNames.Append("total").ToArray();
        var sums = new double[names.Length];
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        int steps = StepsPerEpoch;
        for (int s = 0; s < steps; s++)
        {
            int global = epoch * steps + s;
            ex.Step = global;
            Fill(orderL, _data.Labelled, s, _xl, _yl);
            Fill(orderU, _data.Unlabelled, s, _xu, null);
            ex.SetInput(Objective.XLabelled, _xl);
            ex.SetInput(Objective.YLabelled, _yl);
            ex.SetInput(Objective.XUnlabelled, _xu);
            if (Objective.YUnfeatured is { } yf)
            {
                if (Config.UnfeaturedZ == UnfeaturedZ.Fixed)
                    for (int r = 0; r < Batch; r++) { _zf[2 * r] = _fixedZ[2 * (r % 10)]; _zf[2 * r + 1] = _fixedZ[2 * (r % 10) + 1]; }
                else
                {
                    Philox.Uniform(Seed, ResampleZStream, (uint)global, 0, _zf);
                    for (int i = 0; i < _zf.Length; i++) _zf[i] = (2 * _zf[i] - 1) * ModelConfig.UnfeaturedZRange;
                }
                ex.SetInput(yf, _yf);
                ex.SetInput(Objective.ZUnfeatured!, _zf);
            }
            ex.Forward();
            var losses = ex.ReadLosses();
            for (int i = 0; i < names.Length; i++)
                if (!float.IsFinite(losses[i]))
                    throw new TrainingDivergedException($"epoch {epoch + 1}, step {s + 1}: loss term '{names[i]}' is {losses[i]}; training stopped before applying the update");
            ex.Backward();
            ex.Update(Config.Adam, lr);
            for (int i = 0; i < names.Length; i++) sums[i] += losses[i];
            onStep?.Invoke(s + 1, steps, losses[^1]);
        }
        acc.Synchronize();
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var mean = names.Select((n, i) => (n, sums[i] / steps)).ToDictionary(t => t.n, t => t.Item2);
        int streams = Objective.YUnfeatured is null ? 2 : 3;
        return new EpochMetrics(epoch + 1, lr, mean, 1000 * seconds / steps, streams * (double)Batch * steps / seconds, seconds);
    }

    public void Dispose() => Executor.Dispose();
}
