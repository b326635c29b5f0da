using Untapped.Kernels;

namespace Untapped.Graph;

/// <summary>
/// Runs a <see cref="ComputeGraph"/> on an accelerator: one arena laid out by <see cref="MemoryPlan"/>, and one flat
/// buffer each for parameters, gradients and the two Adam moments. Forward, then the loss reduction on the
/// device, Backward in reverse order (gradients accumulate; each activation gradient is zero-filled lazily, or
/// overwritten by its first writer), then one clip+Adam launch. Nothing is copied to
/// the host inside a step; <see cref="ReadLosses"/> reads the loss vector once. <see cref="ForInference"/> makes a
/// forward-only executor over parameters that live elsewhere on the device (a trainer's): no copies, no gradients.
/// </summary>
public sealed class Executor : IOpContext, IDisposable
{
    readonly BackendBuffer _arena;
    readonly BackendBuffer _losses;
    readonly View _params;

    // What only training needs: the owned parameters, their gradients, Adam's moments and the norm's partials. Null
    // in a forward-only executor (ForInference), whose parameters are another's view.
    readonly (
        BackendBuffer Params,
        BackendBuffer Grads,
        BackendBuffer M,
        BackendBuffer V,
        BackendBuffer Partials
    )? _train;
    readonly Dictionary<Tensor, float> _seeds = new();

    // Activation gradients whose buffer has not been written yet in this backward pass (it holds garbage): the
    // first op to write one may overwrite it, and any other access zero-fills it first (see Grad, GradForWrite).
    readonly HashSet<Tensor> _unwritten = new();

    public Executor(ComputeGraph graph, Backend accelerator, ulong seed)
        : this(graph, accelerator, seed, null) { }

    /// <summary>
    /// A forward-only executor of <paramref name="graph"/> over <paramref name="parameters"/>, a view on the same
    /// backend in the graph's parameter layout (a trainer's <see cref="Parameters"/>), read in place: evaluation
    /// without a copy to the host and back, and without gradients or moments.
    /// </summary>
    public static Executor ForInference(ComputeGraph graph, Backend accelerator, View parameters)
    {
        if (parameters.Buffer is not { } b || !ReferenceEquals(b.Owner, accelerator))
            throw new ArgumentException($"the parameters must be a view on {accelerator.Name}", nameof(parameters));
        if (parameters.Length != graph.Parameters.TotalLength)
        {
            throw new ArgumentException(
                $"the parameter view holds {parameters.Length} floats; the graph's layout has {graph.Parameters.TotalLength}"
            );
        }
        return new Executor(graph, accelerator, 0, parameters);
    }

    Executor(ComputeGraph graph, Backend accelerator, ulong seed, View? shared)
    {
        Graph = graph;
        Backend = accelerator;
        Seed = seed;
        graph.PlanFolds();
        graph.PlanEpilogues();
        graph.PlanSharedInputs();
        Plan = new MemoryPlan(graph);
        int p = graph.Parameters.TotalLength;
        _arena = accelerator.Allocate(Math.Max(1, Plan.ArenaLength));
        _losses = accelerator.Allocate(graph.Losses.Count + 1);
        if (shared is { } view)
        {
            _params = view;
            return;
        }
        var t = (
            Params: accelerator.Allocate(p),
            Grads: accelerator.Allocate(p),
            M: accelerator.Allocate(p),
            V: accelerator.Allocate(p),
            Partials: accelerator.Allocate(Backend.NormPartials)
        );
        _train = t;
        _params = t.Params;
        accelerator.Fill(p, 0f, t.M);
        accelerator.Fill(p, 0f, t.V);
        accelerator.Fill(p, 0f, t.Grads);
        // d total / d row of each per-row loss input: sum of weight * coefficient / rows over its terms.
        foreach (var term in graph.Losses.Where(t => !t.Monitor))
        {
            foreach (var part in term.Parts)
            {
                if (part.Rows.RequiresGrad && part.Gradient)
                {
                    _seeds[part.Rows] =
                        _seeds.GetValueOrDefault(part.Rows) + term.Weight * part.Coefficient / part.Rows.Rows;
                }
            }
        }
        // Gradients that start in the forward pass (an op's backward run in its forward): seeded before that step's op,
        // or written whole by that backward.
        for (int i = 0; i < graph.Ops.Count; i++)
        {
            foreach (var g in Plan.GradStarts[i])
            {
                if (!_seeds.ContainsKey(g))
                {
                    if (!graph.Ops.Any(o => o.BackwardInForward && o.WritesGrad(g)))
                    {
                        throw new InvalidOperationException(
                            $"{g}'s gradient starts in the forward pass with no writer"
                        );
                    }

                    continue;
                }
                if (!_forwardSeeds.TryGetValue(graph.Ops[i], out var seeded))
                    _forwardSeeds[graph.Ops[i]] = seeded = [];
                seeded.Add(g);
            }
        }
    }

    // The seeds filled in the forward pass, each before its op runs (MemoryPlan.GradStarts at forward steps).
    readonly Dictionary<Op, List<Tensor>> _forwardSeeds = new();

    public ComputeGraph Graph { get; }
    public Backend Backend { get; }
    public MemoryPlan Plan { get; }
    public ulong Seed { get; }

    /// <summary>
    /// Optimiser steps applied so far (Adam's t). It is the one step counter: the next forward pass draws its noise
    /// with it as the Philox counter word, and <see cref="Update"/> advances it.
    /// </summary>
    public int StepsDone { get; private set; }

    int IOpContext.Step => StepsDone;

    /// <summary>Whether this executor trains (it has gradients): not a forward-only one (<see cref="ForInference"/>).</summary>
    public bool Trains => _train is not null;

    /// <summary>When set, every op is followed by a synchronise and its time is added here.</summary>
    public OpProfile? Profile { get; set; }

    /// <summary>
    /// Bytes of device memory this executor holds: arena, four flat parameter buffers and small vectors.
    /// </summary>
    public long BackendBytes =>
        4L * (_arena.Length + _losses.Length + (_train is { } t ? 4L * t.Params.Length + t.Partials.Length : 0));

    public View Parameters => _params;
    public View Gradients => Train.Grads;
    public View AdamM => Train.M;
    public View AdamV => Train.V;

    (BackendBuffer Params, BackendBuffer Grads, BackendBuffer M, BackendBuffer V, BackendBuffer Partials) Train =>
        _train
        ?? throw new InvalidOperationException("a forward-only executor (ForInference) has no gradients or moments");

    /// <summary>
    /// The storage of <paramref name="t"/>'s value: its whole length, or one period of rows where the plan stores one
    /// (<see cref="MemoryPlan.Slot.Floats"/>: a periodic layer's output that only one-period readers read).
    /// </summary>
    public View Value(Tensor t)
    {
        if (t.Kind == TensorKind.Parameter)
            return _params.Slice(t.ParameterOffset, t.Length);
        var s = Plan.Value(t);
        return _arena.View.Slice(s.Offset, s.Floats);
    }

    /// <summary>
    /// The gradient of <paramref name="t"/>, or an empty view when it takes none. During Backward an activation
    /// gradient that nothing has written yet is zero-filled on this first access, so ops may always add into it.
    /// </summary>
    public View Grad(Tensor t)
    {
        var g = GradView(t);
        if (_unwritten.Remove(t))
            Backend.Fill(g.Length, 0f, g);
        return g;
    }

    /// <summary>
    /// The gradient of <paramref name="t"/> for an op that can either add into it or overwrite it:
    /// <paramref name="accumulate"/> is false when this is the first write of the backward pass, and the op must
    /// then write every element without reading the old contents. Saves a zero-fill and a read of the buffer.
    /// </summary>
    public View GradForWrite(Tensor t, out bool accumulate)
    {
        accumulate = !_unwritten.Remove(t);
        return GradView(t);
    }

    View GradView(Tensor t)
    {
        if (!t.RequiresGrad)
            return default;
        if (t.Kind == TensorKind.Parameter)
            return Train.Grads.View.Slice(t.ParameterOffset, t.Length);
        return Plan.Grad(t) is { } s ? _arena.View.Slice(s.Offset, s.Floats) : default;
    }

    /// <summary>
    /// Writes input <paramref name="t"/> from rows made a slab of <see cref="SlabRows"/> at a time into one reused host
    /// buffer, so a large input (a batch of images) needs no whole host copy beside its arena slot. Inputs declared
    /// periodic are set whole (<see cref="SetInput(Tensor, ReadOnlySpan{float})"/>, which checks the period).
    /// </summary>
    public void SetInput(Tensor t, RowWriter write)
    {
        if (t.Kind != TensorKind.Input)
            throw new ArgumentException($"{t} is not an input");
        if (t.RowPeriod > 0)
            throw new ArgumentException($"input {t} repeats its rows: set it whole, which checks that they do");
        int slab = Math.Min(SlabRows, t.Rows) * t.Cols;
        if (_slab is null || _slab.Length < slab)
            _slab = new float[slab];
        var view = Value(t);
        for (int r0 = 0; r0 < t.Rows; r0 += SlabRows)
        {
            int n = Math.Min(SlabRows, t.Rows - r0);
            var rows = _slab.AsSpan(0, n * t.Cols);
            write(r0, n, rows);
            Backend.CopyFromHost(rows, view.Slice(r0 * t.Cols, n * t.Cols));
        }
    }

    /// <summary>Rows per slab of <see cref="SetInput(Tensor, RowWriter)"/>.</summary>
    public const int SlabRows = 1024;

    float[]? _slab;

    public void SetInput(Tensor t, ReadOnlySpan<float> data)
    {
        if (t.Kind != TensorKind.Input)
            throw new ArgumentException($"{t} is not an input");
        if (data.Length != t.Length)
            throw new ArgumentException($"input {t} needs {t.Length} values, got {data.Length}");
        if (t.RowPeriod > 0)
        {
            int stride = t.RowPeriod * t.Cols; // bitwise equal (a NaN row too), as the dense layer's copy makes them
            var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(data);
            if (!bits[stride..].SequenceEqual(bits[..^stride]))
            {
                throw new ArgumentException(
                    $"input {t} is declared with rows repeating every {t.RowPeriod}, and its data's do not"
                );
            }
        }
        Backend.CopyFromHost(data, Value(t));
    }

    /// <summary>
    /// Runs every op's forward kernel in graph order (an op fused into a dense layer's epilogue runs inside that
    /// layer's), then the loss reduction.
    /// </summary>
    public void Forward()
    {
        foreach (var op in Graph.Ops)
        {
            if (op.FusedInto is null)
                ForwardOp(op);
        }
        ReduceLosses();
    }

    /// <summary>
    /// Runs one op's forward kernel (<see cref="Forward"/> is this over the graph's ops, then <see
    /// cref="ReduceLosses"/>), after seeding the gradients that a backward run in its forward reads (<see
    /// cref="Op.BackwardInForward"/>: the loss seeds of the decoders' log-likelihoods).
    /// </summary>
    public void ForwardOp(Op op)
    {
        if (_forwardSeeds.TryGetValue(op, out var seeded))
        {
            foreach (var t in seeded)
                Backend.Fill(t.Length, _seeds[t], GradView(t)); // a loss's rows: never stored as one period
        }
        Timed(op, false);
    }

    /// <summary>
    /// Sums the per-row loss tensors into the loss vector: every term, then the weighted total (of the non-monitor
    /// terms).
    /// </summary>
    public void ReduceLosses()
    {
        var a = Backend;
        a.Fill(_losses.Length, 0f, _losses);
        var total = _losses.View.Slice(Graph.Losses.Count, 1);
        for (int i = 0; i < Graph.Losses.Count; i++)
        {
            var term = Graph.Losses[i];
            foreach (var part in term.Parts)
            {
                a.RowMeanAccumulate(Value(part.Rows), part.Rows.Rows, part.Coefficient, _losses.View.Slice(i, 1));
                if (!term.Monitor)
                    a.RowMeanAccumulate(Value(part.Rows), part.Rows.Rows, part.Coefficient * term.Weight, total);
            }
        }
    }

    public void Backward()
    {
        var a = Backend;
        int n = Graph.Ops.Count;
        var grads = Train.Grads;
        a.Fill(grads.Length, 0f, grads);
        _unwritten.Clear();
        foreach (var t in Plan.GradStarts[n])
        {
            if (_seeds.TryGetValue(t, out var seed))
                a.Fill(t.Length, seed, GradView(t));
            else
                _unwritten.Add(t);
        }

        try
        {
            for (int i = n - 1; i >= 0; i--)
            {
                // A gradient's slot is its own from its start step on: mark it unwritten rather than zero-filling.
                foreach (var t in Plan.GradStarts[2 * n - i])
                    _unwritten.Add(t);
                var op = Graph.Ops[i];
                if (op.HasBackward && !op.BackwardInForward)
                    Timed(op, true);
            }
        }
        // What was never written is garbage; after the pass its slot may belong to another tensor.
        finally
        {
            _unwritten.Clear();
        }
    }

    /// <summary>Clip and apply one Adam step at learning rate <paramref name="lr"/>.</summary>
    public void Update(AdamSettings s, double lr)
    {
        var t = Train;
        StepsDone++;
        var a = Backend;
        long t0 = OpProfile.Now();
        a.SumSquaresPartials(t.Grads, t.Grads.Length, t.Partials);
        var step = AdamStep.At(StepsDone, lr, s.Beta1, s.Beta2, s.Eps, s.ClipNorm, s.ClipValue);
        a.Adam(t.Partials, t.Params.Length, step, t.Params, t.Grads, t.M, t.V);
        if (Profile is { } p)
        {
            a.Synchronize();
            p.Add("adam", OpProfile.Ms(t0));
        }
    }

    /// <summary>
    /// Loads a saved training state: parameters, Adam's moments (zero when absent) and the step count, which together
    /// with the seed determine every later draw and update.
    /// </summary>
    public void LoadState(ReadOnlySpan<float> parameters, float[]? m, float[]? v, int stepsDone)
    {
        if (stepsDone < 0)
            throw new ArgumentOutOfRangeException(nameof(stepsDone), $"step count {stepsDone} is negative");
        var t = Train;
        Backend.CopyFromHost(parameters, t.Params);
        if (m is not null && v is not null)
        {
            Backend.CopyFromHost(m, t.M);
            Backend.CopyFromHost(v, t.V);
        }
        else
        {
            Backend.Fill(t.M.Length, 0f, t.M);
            Backend.Fill(t.V.Length, 0f, t.V);
        }
        StepsDone = stepsDone;
    }

    /// <summary>The loss terms in graph order, then the weighted total.</summary>
    public float[] ReadLosses() => Backend.ToArray(_losses);

    void Timed(Op op, bool backward)
    {
        long t0 = Profile is null ? 0 : OpProfile.Now();
        int gemms = Backend.GemmTrace?.Calls.Count ?? 0;
        if (backward)
            op.Backward(this);
        else
            op.Forward(this);
        if (Profile is null)
            return;
        Backend.Synchronize();
        double gemmMs = Backend.GemmTrace is { } trace ? trace.Calls.Skip(gemms).Sum(g => g.Ms) : 0;
        Profile.Add(Profile.Key(op, backward), OpProfile.Ms(t0), op.Flops(backward), gemmMs);
    }

    public void Dispose()
    {
        _arena.Dispose();
        _losses.Dispose();
        if (_train is { } t)
        {
            foreach (var b in new[] { t.Params, t.Grads, t.M, t.V, t.Partials })
                b.Dispose();
        }
    }
}
