using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Training.Data;
using Untapped.Training.Model;
using Untapped.Training.Storage;

namespace Untapped.Training.Runs;

/// <summary>
/// docs/model.md §5: one optimiser step takes one batch of each stream; steps per epoch = ceil(|labelled| / batch);
/// each stream wraps around inside an epoch and is reshuffled every epoch. Every draw (shuffles, unfeatured z,
/// kernel noise) is a function of (seed, epoch or step), and the position in the run is the executor's one step
/// counter, so training can stop after any step and continue from a checkpoint with identical bits.
/// </summary>
public sealed class Trainer : IDisposable
{
    const uint ShuffleStream = RandomStreams.Shuffle,
        FixedZStream = RandomStreams.FixedZ,
        ResampleZStream = RandomStreams.ResampleZ;
    readonly ExperimentData _data;
    readonly float[] _yl,
        _yf,
        _zf,
        _fixedZ;
    readonly string[] _termNames;

    // The shuffles of the epoch in progress, drawn when it starts (or when a run resumes inside it).
    int _orderEpoch = -1;
    int[] _orderL = [],
        _orderU = [];

    // Under --reverse-qx marginal: logit(mu) of the training images' pixel means, one row per unfeatured row.
    readonly float[]? _qxLogits;

    // Sums of each loss term over the steps of the epoch in progress; part of the checkpointed state.
    double[] _sums;

    // Wall time and steps of the epoch in progress in this process, for the speed columns.
    long _epochStart;
    int _timedSteps;

    public Trainer(ModelConfig cfg, ExperimentData data, Backend acc, int batch, ulong seed)
    {
        if (batch < 1)
            throw new ArgumentOutOfRangeException(nameof(batch), $"batch must be at least 1, got {batch}");
        Config = cfg;
        _data = data;
        Batch = batch;
        Seed = seed;
        Objective = new Objective(cfg, batch, batch, batch, unfeaturedTiled: cfg.UnfeaturedZ == UnfeaturedZ.Fixed);
        Executor = new Executor(Objective.Graph, acc, seed);
        acc.CopyFromHost(Networks.Initialise(Objective.Graph.Parameters, seed), Executor.Parameters);
        _yl = new float[batch * Mnist.Classes];
        _yf = new float[batch * Mnist.Classes];
        _zf = new float[batch * Networks.ZDim];
        _fixedZ = new float[Mnist.Classes * Networks.ZDim];
        Philox.Uniform(seed, FixedZStream, 0, 0, _fixedZ);
        for (int i = 0; i < _fixedZ.Length; i++)
            _fixedZ[i] = (2 * _fixedZ[i] - 1) * ModelConfig.UnfeaturedZRange;
        for (int r = 0; r < batch; r++)
            ExperimentData.Corner(r % Mnist.Classes).CopyTo(_yf, r * Mnist.Classes);
        if (Objective.QxLogits is { } qx)
        {
            var mu = data.PixelMarginal();
            _qxLogits = new float[qx.Length];
            for (int i = 0; i < _qxLogits.Length; i++)
                _qxLogits[i] = (float)Math.Log(mu[i % Mnist.Pixels] / (1 - mu[i % Mnist.Pixels]));
        }
        _termNames = [.. Objective.TermNames, "total"];
        _sums = new double[_termNames.Length];
    }

    public ModelConfig Config { get; }
    public Objective Objective { get; }
    public Executor Executor { get; }
    public int Batch { get; }
    public ulong Seed { get; }
    public int StepsPerEpoch => (_data.Labelled.Length + Batch - 1) / Batch;

    /// <summary>Optimiser steps taken so far (the executor's counter).</summary>
    public int StepsDone => Executor.StepsDone;

    /// <summary>The loss terms in graph order, then "total".</summary>
    public IReadOnlyList<string> TermNames => _termNames;

    /// <summary>
    /// Per-term loss sums over the completed steps of the epoch in progress (all zero at an epoch boundary).
    /// </summary>
    public IReadOnlyList<double> EpochLossSums => _sums;

    /// <summary>
    /// Puts the trainer at the state a checkpoint recorded: parameters, Adam moments, steps done and the loss sums of
    /// the epoch in progress. Training on from here is bitwise the run that wrote it.
    /// </summary>
    public void Restore(float[] parameters, float[]? m, float[]? v, int stepsDone, IReadOnlyList<double> epochLossSums)
    {
        if (epochLossSums.Count != _sums.Length)
        {
            throw new CheckpointException(
                $"checkpoint holds {epochLossSums.Count} loss sums, this model has {_sums.Length} terms"
            );
        }

        Executor.LoadState(parameters, m, v, stepsDone);
        _sums = [.. epochLossSums];
        _orderEpoch = -1;
    }

    /// <summary>A permutation of [0, n) for (stream, epoch): indices sorted by Philox keys.</summary>
    int[] Shuffle(int stream, int epoch, int n)
    {
        var keys = new float[n];
        Philox.Uniform(Seed, ShuffleStream + (uint)stream, (uint)epoch, 0, keys);
        var idx = Enumerable.Range(0, n).ToArray();
        Array.Sort(keys, idx);
        return idx;
    }

    // The pool index of row j of the step's batch.
    int Pick(int[] order, int[] pool, int step, int j) => pool[order[(step * Batch + j) % order.Length]];

    // The step's images, written straight into the input a slab at a time (Executor.SetInput with rows): no batch-sized
    // host copy of them.
    RowWriter Images(int[] order, int[] pool, int step) => _data.Pool.ImageRows(j => Pick(order, pool, step, j));

    void Labels(int[] order, int[] pool, int step, float[] y)
    {
        Array.Clear(y);
        for (int j = 0; j < Batch; j++)
            y[j * Mnist.Classes + _data.Pool.Labels[Pick(order, pool, step, j)]] = 1f;
    }

    /// <summary>
    /// Takes the next optimiser step (step <see cref="StepsDone"/> of the run). Returns the epoch's metrics when the
    /// step completes an epoch, else null. Throws <see cref="TrainingDivergedException"/> before applying an update
    /// whose loss is not finite.
    /// </summary>
    public EpochMetrics? Step()
    {
        var ex = Executor;
        int global = ex.StepsDone,
            steps = StepsPerEpoch;
        int epoch = global / steps,
            s = global % steps;
        if (_orderEpoch != epoch)
        {
            _orderL = Shuffle(0, epoch, _data.Labelled.Length);
            _orderU = Shuffle(1, epoch, _data.Unlabelled.Length);
            _orderEpoch = epoch;
            _epochStart = System.Diagnostics.Stopwatch.GetTimestamp();
            _timedSteps = 0;
        }
        double lr = Config.LearningRateAt(epoch);
        Labels(_orderL, _data.Labelled, s, _yl);
        ex.SetInput(Objective.XLabelled, Images(_orderL, _data.Labelled, s));
        ex.SetInput(Objective.YLabelled, _yl);
        ex.SetInput(Objective.XUnlabelled, Images(_orderU, _data.Unlabelled, s));
        if (Objective.YUnfeatured is { } yf)
        {
            if (Config.UnfeaturedZ == UnfeaturedZ.Fixed)
            {
                for (int r = 0; r < Batch; r++)
                {
                    _fixedZ
                        .AsSpan(Networks.ZDim * (r % Mnist.Classes), Networks.ZDim)
                        .CopyTo(_zf.AsSpan(Networks.ZDim * r));
                }
            }
            else
            {
                Philox.Uniform(Seed, ResampleZStream, (uint)global, 0, _zf);
                for (int i = 0; i < _zf.Length; i++)
                    _zf[i] = (2 * _zf[i] - 1) * ModelConfig.UnfeaturedZRange;
            }
            ex.SetInput(yf, _yf);
            ex.SetInput(Objective.ZUnfeatured!, _zf);
            if (Objective.QxLogits is { } qx)
                ex.SetInput(qx, _qxLogits);
        }
        ex.Forward();
        var losses = ex.ReadLosses();
        for (int i = 0; i < _termNames.Length; i++)
        {
            if (!float.IsFinite(losses[i]))
            {
                throw new TrainingDivergedException(
                    $"epoch {epoch + 1}, step {s + 1}: loss term '{_termNames[i]}' is {losses[i]}; training stopped before applying the update"
                );
            }
        }

        ex.Backward();
        ex.Update(Config.Adam, lr);
        for (int i = 0; i < _termNames.Length; i++)
            _sums[i] += losses[i];
        _timedSteps++;
        LastLoss = losses[^1];
        if (s + 1 < steps)
            return null;

        ex.Backend.Synchronize();
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(_epochStart).TotalSeconds;
        var mean = _termNames.Select((n, i) => (n, _sums[i] / steps)).ToDictionary(t => t.n, t => t.Item2);
        mean[EpochMetrics.DecoderSaturationKey] = DecoderSaturation();
        Array.Clear(_sums);
        int streams = Objective.YUnfeatured is null ? 2 : 3;
        return new EpochMetrics(
            epoch + 1,
            lr,
            mean,
            1000 * seconds / _timedSteps,
            streams * (double)Batch * _timedSteps / seconds,
            seconds
        );
    }

    /// <summary>A pixel mean counts as saturated within this distance of 0 or 1.</summary>
    public const double SaturationMargin = 1e-3;

    /// <summary>
    /// The share of the decoder's pixel means m = sigmoid(logit) within <see cref="SaturationMargin"/> of 0 or 1, over
    /// the 10 softened corners (the unfeatured labels) each decoded at the run's 10 fixed unfeatured z (100 images, the
    /// same for both models and every step of a run): how far the decoder has moved towards hard images where the
    /// reverse ELBO acts. Read-only: it changes nothing in the run.
    /// </summary>
    public double DecoderSaturation()
    {
        const int K = Mnist.Classes,
            Z = Networks.ZDim;
        var y = new float[K * K * K];
        var z = new float[K * K * Z];
        for (int c = 0, r = 0; c < K; c++)
        {
            for (int j = 0; j < K; j++, r++)
            {
                ExperimentData.Corner(c).CopyTo(y.AsSpan(r * K));
                _fixedZ.AsSpan(j * Z, Z).CopyTo(z.AsSpan(r * Z));
            }
        }

        using var inference = new Evaluation.Inference(Executor.Backend, Executor.Parameters, K * K);
        var logits = inference.DecoderLogits(y, z, K * K);
        int saturated = 0;
        foreach (var l in logits)
        {
            double m = 1 / (1 + Math.Exp(-(double)l));
            if (m < SaturationMargin || m > 1 - SaturationMargin)
                saturated++;
        }
        return (double)saturated / logits.Length;
    }

    /// <summary>The weighted total loss of the last step taken.</summary>
    public float LastLoss { get; private set; }

    /// <summary>Runs the rest of epoch <c>StepsDone / StepsPerEpoch</c> and returns its metrics.</summary>
    public EpochMetrics RunEpoch()
    {
        while (true)
        {
            if (Step() is { } m)
                return m;
        }
    }

    public void Dispose() => Executor.Dispose();
}
