using Untapped.Kernels;

namespace Untapped.Graph;

/// <summary>
/// Y = act(sum_i X_i W[rows_i] + b): a dense layer over the column-concatenation [X_0, X_1, ...] without
/// materialising it; part i multiplies the row block of W that belongs to it (the rows of W are the fan-in).
/// Backward: dZ = dY act'(Y) in place over dY with db += colsum(dZ) in the same pass, then dW_i += X_i^T dZ,
/// dX_i += dZ W_i^T. When the inputs' rows repeat with a period p (<see cref="Tensor.RowPeriod"/>) so do Y and act'(Y),
/// and by linearity every one of those gradients needs only dY summed over the rows equal to each distinct row: the
/// backward folds dY onto p rows (<see cref="Backend.FoldRows"/>, unless it arrives folded) and runs on them, handing
/// its inputs folded gradients (<see cref="FoldsBackward"/>). Exact in real arithmetic; in floats it adds in another
/// order than the whole-batch GEMMs. Forward also runs the layer's <see cref="Epilogue"/>: the row-wise ops right after
/// it that read Y (the Bernoulli log-likelihood and sample on the decoder's logits, and the sample's noise), on each
/// block of rows of Y as the GEMM finishes it, while it is in cache; likewise the input-gradient GEMM of part i forms
/// dZ of the layer below (<see cref="ActivationBackwards"/>) on each block of dX's rows as it is final.
/// </summary>
public sealed class DenseOp : Op
{
    readonly Tensor[] _xs;
    readonly Tensor _w,
        _b,
        _y;
    readonly Activation _act;

    public DenseOp(string label, Tensor[] xs, Tensor w, Tensor b, Activation act, Tensor y)
        : base(label, [.. xs, w, b], [y])
    {
        int fanIn = xs.Sum(x => x.Cols);
        if (fanIn != w.Rows || w.Cols != y.Cols || b.Length != w.Cols || xs.Any(x => x.Rows != y.Rows))
        {
            throw new ArgumentException(
                $"dense {label}: inputs [{string.Join(", ", xs.Select(x => x.ToString()))}] do not fit W {w} and Y {y}"
            );
        }

        _xs = xs;
        _w = w;
        _b = b;
        _y = y;
        _act = act;
        _activationBackwards = new DenseOp?[xs.Length];
    }

    public override string Kind => "dense";

    Op[] _epilogue = [];

    /// <summary>
    /// The row-wise ops this layer's forward runs on each block of Y's rows once the block is final, in graph order
    /// (<see cref="ComputeGraph.PlanEpilogues"/> decides; each has <see cref="Op.FusedInto"/> this layer).
    /// </summary>
    public IReadOnlyList<Op> Epilogue
    {
        get => _epilogue;
        internal set => _epilogue = [.. value];
    }

    internal Tensor Y => _y;
    internal IReadOnlyList<Tensor> Xs => _xs;
    internal Activation Act => _act;

    /// <summary>
    /// For input part i, the dense layer whose activation backward runs in the epilogue of this layer's GEMM that
    /// finishes that layer's output gradient (dX_i = dZ W_i^T, the last write of it), or null
    /// (<see cref="ComputeGraph.PlanEpilogues"/> decides; that layer has <see cref="ActivationBackwardFused"/>).
    /// </summary>
    public IReadOnlyList<DenseOp?> ActivationBackwards => _activationBackwards;

    readonly DenseOp?[] _activationBackwards; // one entry per input part

    /// <summary>Sets <see cref="ActivationBackwards"/>[part]: below's activation backward, or none (null).</summary>
    internal void FuseActivationBackward(int part, DenseOp? below) => _activationBackwards[part] = below;

    /// <summary>
    /// Whether dZ = dY act'(Y) is formed in the epilogue of the GEMM that finishes dY (another layer's input
    /// gradient), row block by row block while they are in cache: this layer's backward then only sums db.
    /// </summary>
    public bool ActivationBackwardFused { get; internal set; }

    readonly List<DenseOp> _siblings = [];

    /// <summary>
    /// The later dense layers whose first input part is this layer's (the classifier's and the z-encoder's first
    /// layers on one batch of images): their part-0 products run in this layer's forward and their part-0 weight
    /// gradients in its backward, each as one <see cref="Backend.Gemms"/> call that reads the input once (<see
    /// cref="ComputeGraph.PlanSharedInputs"/> decides; each has <see cref="InputLead"/> this layer).
    /// </summary>
    public IReadOnlyList<DenseOp> Siblings => _siblings;

    /// <summary>The layer whose forward and backward run this one's part 0 (<see cref="Siblings"/>), or null.</summary>
    public DenseOp? InputLead { get; private set; }

    internal void ClearSiblings()
    {
        _siblings.Clear();
        InputLead = null;
    }

    internal void AddSibling(DenseOp sibling)
    {
        _siblings.Add(sibling);
        sibling.InputLead = this;
    }

    internal Tensor W => _w;
    internal Tensor B => _b;

    /// <summary>
    /// Whether Backward runs on one period of rows: Y is periodic and every input that takes a gradient keeps it
    /// folded (<see cref="ComputeGraph.PlanFolds"/> decides).
    /// </summary>
    public bool FoldsBackward { get; internal set; }

    /// <summary>
    /// Whether Forward fills every row of a periodic Y from its first period (doubling copies). Not where the layer
    /// and every reader of Y run on one period: folding dense layers of the same period, which multiply Y's first
    /// period forward and backward and read no other row (<see cref="ComputeGraph.PlanFolds"/> decides). The fixed-z
    /// decoder's hidden layers: their other 9,990 rows were 10 and 20 MB of copies that nothing read.
    /// </summary>
    public bool FillsPeriods { get; internal set; } = true;

    // Part i multiplies rows [first, first + cols_i) of W, where first is the fan-in of the parts before it.
    View Block(View w, int part)
    {
        int r0 = 0;
        for (int i = 0; i < part; i++)
            r0 += _xs[i].Cols;
        return w.Slice(r0 * _w.Cols, _xs[part].Cols * _w.Cols);
    }

    // Forward: 2 m n fan-in (m: one period of rows when periodic). Backward: dW for every part, dX for the parts that
    // take a gradient (m: one period when it folds; the fold's adds are not counted).
    public override long Flops(bool backward)
    {
        bool onePeriod = backward ? FoldsBackward : _y.RowPeriod > 0;
        long mn2 = 2L * (onePeriod ? _y.RowPeriod : _y.Rows) * _y.Cols;
        return _xs.Sum(x => mn2 * x.Cols * (backward && x.RequiresGrad ? 2 : 1));
    }

    // With periodic inputs (Tensor.RowPeriod) only the first period of rows is multiplied; doubling copies fill the
    // rest. The decoder of the unfeatured stream under `--unfeatured-z fixed`: 10 distinct (y, z) rows of 10,000. The
    // epilogue runs in the last GEMM, or after the copies (in blocks of rows) when the rows are periodic.
    public override void Forward(IOpContext ex)
    {
        var a = ex.Backend;
        int n = _y.Cols,
            m = _y.RowPeriod > 0 ? _y.RowPeriod : _y.Rows;
        var y = ex.Value(_y);
        RowsReady? epilogue = _epilogue.Length == 0 ? null : (r0, r1) => RunEpilogue(ex, r0, r1);
        for (int i = 0; i < _xs.Length; i++)
        {
            bool last = i == _xs.Length - 1;
            int k = _xs[i].Cols;
            if (i == 0 && InputLead is not null)
                continue; // the lead's forward made it
            if (i == 0 && _siblings.Count > 0)
            {
                a.Gemms(
                    ex.Value(_xs[0]).Slice(0, m * k),
                    m,
                    k,
                    false,
                    false,
                    [FirstPart(ex, epilogue), .. _siblings.Select(d => d.FirstPart(ex, null))]
                );
                continue;
            }
            a.Gemm(
                ex.Value(_xs[i]).Slice(0, m * k),
                Block(ex.Value(_w), i),
                last ? ex.Value(_b) : default,
                m,
                k,
                n,
                false,
                false,
                last ? _act : Activation.None,
                accumulate: i > 0,
                y.Slice(0, m * n),
                last && m == _y.Rows ? epilogue : null
            );
        }
        if (m == _y.Rows || !FillsPeriods)
            return;
        if (epilogue is null)
        {
            CopyPeriod(a, y, n, m, 0, _y.Rows);
            return;
        }
        // Block by block, each block's copies and then its epilogue while the rows are in cache.
        a.ForRows(_y.Rows, (r0, r1) =>
        {
            CopyPeriod(a, y, n, m, r0, r1);
            epilogue(r0, r1);
        });
    }

    // Part 0's product as an output of the lead's shared GEMM: bias, activation and epilogue when it is the last part
    // (a sibling's then has none: PlanSharedInputs). Never periodic.
    GemmOutput FirstPart(IOpContext ex, RowsReady? epilogue)
    {
        bool last = _xs.Length == 1;
        return new(
            Block(ex.Value(_w), 0),
            last ? ex.Value(_b) : default,
            _y.Cols,
            last ? _act : Activation.None,
            false,
            ex.Value(_y),
            last ? epilogue : null
        );
    }

    // Rows [max(r0, p), r1) of y [rows, n] from its first p rows (row r = row r mod p): the first period of the range
    // in at most two copies, then doubling copies of what is done; [0, rows) is log2(rows / p) copies in all.
    static void CopyPeriod(Backend a, View y, int n, int p, int r0, int r1)
    {
        int s = Math.Max(r0, p),
            r = s;
        while (r < Math.Min(s + p, r1))
        {
            int len = Math.Min(p - r % p, r1 - r);
            a.Copy(y.Slice(r % p * n, len * n), y.Slice(r * n, len * n));
            r += len;
        }
        for (int done = Math.Min(p, r1 - s); done > 0 && s + done < r1; done += Math.Min(done, r1 - s - done))
        {
            a.Copy(
                y.Slice(s * n, Math.Min(done, r1 - s - done) * n),
                y.Slice((s + done) * n, Math.Min(done, r1 - s - done) * n)
            );
        }
    }

    // Each member's forward in graph order, a moved backward right after its forward unless it waits for its readers'
    // (Op.BackwardInForwardOrder); then the waiting ones in reverse graph order, as the backward pass would run them.
    void RunEpilogue(IOpContext ex, int r0, int r1)
    {
        foreach (var op in _epilogue)
        {
            var (after, accumulate) = op.BackwardInForwardOrder;
            if (!op.BackwardInForward || !ex.Trains || after)
            {
                ((IRowWiseOp)op).ForwardRows(ex, r0, r1);
                continue;
            }
            var rows = (IRowWiseBackward)op;
            if (accumulate)
            {
                rows.ForwardRows(ex, r0, r1);
                rows.BackwardRows(ex, r0, r1, accumulate);
            }
            else
            {
                rows.ForwardAndBackwardRows(ex, r0, r1);
            }
        }
        if (!ex.Trains)
            return;
        for (int i = _epilogue.Length - 1; i >= 0; i--)
        {
            var op = _epilogue[i];
            if (op.BackwardInForward && op.BackwardInForwardOrder.AfterReaders)
                ((IRowWiseBackward)op).BackwardRows(ex, r0, r1, op.BackwardInForwardOrder.Accumulates);
        }
    }

    // Y is read back only by the activation backward that Backward runs itself: without an activation, or with its
    // backward in the next layer's GEMM, Y may die once its readers' passes are done (the decoder's logits at the end
    // of its epilogue, where the log-likelihood's backward runs in the forward).
    public override bool BackwardReads(Tensor t) => t != _y || !DbFromSums;

    public override void Backward(IOpContext ex)
    {
        var a = ex.Backend;
        int n = _y.Cols,
            m = FoldsBackward ? _y.RowPeriod : _y.Rows;
        var dz = ex.Grad(_y);
        if (FoldsBackward && !_y.FoldedGrad)
            a.FoldRows(dz, _y.Rows, n, m, dz.Slice(0, m * n)); // in place: the first period's rows
        dz = dz.Slice(0, m * n);
        // With dZ formed already, db is the sums of the dZ the first weight gradient reads as its B: that GEMM adds
        // them; else the activation backward forms dZ and db in one pass.
        var db = ex.Grad(_b);
        if (!DbFromSums)
            a.ActBiasBackward(ex.Value(_y).Slice(0, m * n), dz, m, n, _act, dz, db);
        bool dbPending = DbFromSums;
        for (int i = 0; i < _xs.Length; i++)
        {
            var x = _xs[i];
            var xv = ex.Value(x).Slice(0, m * x.Cols);
            var sums = dbPending ? db : default;
            if (i == 0 && _siblings.Count > 0)
            {
                a.Gemms(
                    xv,
                    x.Cols,
                    m,
                    true,
                    false,
                    [
                        new(dz, default, n, Activation.None, true, Block(ex.Grad(_w), 0), SumsOfB: sums),
                        .. _siblings.Select(d => d.FirstWeightGradient(ex)),
                    ]
                );
            }
            else if (i > 0 || InputLead is null)
            {
                a.Gemm(
                    xv,
                    dz,
                    default,
                    x.Cols,
                    m,
                    n,
                    true,
                    false,
                    Activation.None,
                    true,
                    Block(ex.Grad(_w), i),
                    sumsOfB: sums
                );
            }
            // else: part 0's weight gradient (and db, if no other part took it) runs in the lead's backward.
            dbPending &= i == 0 && InputLead is not null;
            if (x.RequiresGrad)
            {
                var dx = ex.GradForWrite(x, out bool accumulate).Slice(0, m * x.Cols);
                RowsReady? epilogue = _activationBackwards[i] is { } below
                    ? (r0, r1) => below.ActivationBackwardRows(ex, r0, r1)
                    : null;
                var w = Block(ex.Value(_w), i);
                a.Gemm(dz, w, default, m, n, x.Cols, false, true, Activation.None, accumulate, dx, epilogue);
            }
        }
    }

    // Whether dZ is formed before Backward (no activation, or its backward fused into another GEMM's epilogue), so db
    // comes from a weight gradient's sums of B rather than from ActBiasBackward.
    bool DbFromSums => ActivationBackwardFused || _act == Activation.None;

    // A sibling's part-0 weight gradient as an output of its lead's shared GEMM, from the dZ its own backward left in
    // its output gradient (kept until then by the memory plan), with db when part 0 was its only part (and its
    // activation backward left db to a weight gradient's sums).
    GemmOutput FirstWeightGradient(IOpContext ex)
    {
        int m = _y.Rows,
            n = _y.Cols;
        bool db = _xs.Length == 1 && DbFromSums;
        return new(
            ex.Grad(_y).Slice(0, m * n),
            default,
            n,
            Activation.None,
            true,
            Block(ex.Grad(_w), 0),
            SumsOfB: db ? ex.Grad(_b) : default
        );
    }

    // dZ = dY act'(Y) on rows [r0, r1) of this layer's output gradient, in place, without db (summed later).
    void ActivationBackwardRows(IOpContext ex, int r0, int r1)
    {
        int n = _y.Cols;
        var dy = ex.Grad(_y).Slice(r0 * n, (r1 - r0) * n);
        ex.Backend.ActBiasBackward(ex.Value(_y).Slice(r0 * n, (r1 - r0) * n), dy, r1 - r0, n, _act, dy, default);
    }
}

// The graph's builder methods of this family: each makes its outputs and adds its op.
public sealed partial class ComputeGraph
{
    public Tensor Dense(string label, Tensor[] xs, Tensor w, Tensor b, Activation act)
    {
        var y = Out(label, xs[0].Rows, w.Cols, w);
        int p = xs[0].RowPeriod;
        if (p > 0 && xs.All(x => x.RowPeriod == p))
            y.RowPeriod = p;
        Add(new DenseOp(label, xs, w, b, act, y));
        return y;
    }

    // Each tensor's readers: the ops that take it as an input, each once, in graph order.
    Dictionary<Tensor, List<Op>> Readers()
    {
        var readers = _tensors.ToDictionary(t => t, _ => new List<Op>());
        foreach (var op in _ops)
        {
            foreach (var t in op.Inputs.Distinct())
                readers[t].Add(op);
        }
        return readers;
    }

    /// <summary>
    /// Decides which dense layers run their backward on one period (<see cref="DenseOp.FoldsBackward"/>) and which
    /// tensors keep a folded gradient (<see cref="Tensor.FoldedGrad"/>): the largest consistent set, by removing until
    /// nothing changes. A periodic tensor's gradient can stay folded only if every op that reads it is a folding dense
    /// layer, writes it folded (<see cref="Op.WritesFoldedGrad"/>: the fixed-z decoder's log-likelihood) or writes no
    /// gradient to it (the hard sample), and no loss reads it; a layer can fold only if its output is periodic and
    /// every input it sends a gradient to stays folded. Then which folding layers leave their output's rows beyond
    /// the first period unwritten (<see cref="DenseOp.FillsPeriods"/>): those whose every reader is a folding layer
    /// of the same period. Run by every <see cref="Executor"/> (idempotent).
    /// </summary>
    internal void PlanFolds()
    {
        var dense = _ops.OfType<DenseOp>().Where(d => d.Y.RowPeriod > 0).ToHashSet();
        var inLoss = _losses.SelectMany(l => l.Parts).Where(p => p.Gradient).Select(p => p.Rows).ToHashSet();
        var readers = Readers();
        bool Folded(Tensor t) =>
            t.RowPeriod > 0
            && t.RequiresGrad
            && !inLoss.Contains(t)
            && readers[t].All(o => o is DenseOp d ? dense.Contains(d) : o.WritesFoldedGrad(t) || !o.WritesGrad(t));
        while (dense.RemoveWhere(d => d.Xs.Any(x => x.RequiresGrad && !Folded(x))) > 0) { }
        foreach (var t in _tensors)
            t.FoldedGrad = Folded(t);
        foreach (var d in _ops.OfType<DenseOp>())
            d.FoldsBackward = dense.Contains(d);
        var inLosses = _losses.SelectMany(l => l.Parts).Select(p => p.Rows).ToHashSet();
        foreach (var d in _ops.OfType<DenseOp>())
        {
            d.FillsPeriods = !(
                d.FoldsBackward
                && !inLosses.Contains(d.Y)
                && readers[d.Y].Count > 0
                && readers[d.Y].All(o => o is DenseOp { FoldsBackward: true } r && r.Y.RowPeriod == d.Y.RowPeriod)
            );
        }
    }

    /// <summary>
    /// Whether <see cref="PlanEpilogues"/> fuses row-wise ops into dense layers (the default). Off, every op runs on
    /// its own: the same bits (tests compare the two), each op a pass of its own over memory.
    /// </summary>
    public bool FuseEpilogues { get; set; } = true;

    /// <summary>
    /// Whether <see cref="PlanEpilogues"/> moves fused ops' backwards into the forward where that gives the same bits
    /// (<see cref="Op.BackwardInForward"/>; the default, under <see cref="FuseEpilogues"/>). Off, each runs in the
    /// backward pass: the same bits (tests and `bench fuse --backwards-in-forward` compare the two).
    /// </summary>
    public bool BackwardsInForward { get; set; } = true;

    /// <summary>
    /// Gives each dense layer its <see cref="DenseOp.Epilogue"/>: the unbroken run of ops right after it in graph order
    /// that are row-wise (<see cref="IRowWiseOp"/>) over Y's rows, each reading Y or an earlier member's output and
    /// otherwise only inputs or tensors made before the layer; a noise op in the run joins when a member reads it.
    /// Only forwards move, each by no more than the run's length, and every backward keeps its place, so the fused
    /// step adds every gradient in the same order and gives the same bits. Run by every <see cref="Executor"/>
    /// (idempotent); the memory plan counts a member's forward at its layer's step.
    /// </summary>
    internal void PlanEpilogues()
    {
        foreach (var op in _ops)
        {
            op.FusedInto = null;
            op.BackwardInForward = false;
            op.BackwardInForwardOrder = default;
            if (op is DenseOp d)
            {
                d.Epilogue = [];
                for (int i = 0; i < d.Xs.Count; i++)
                    d.FuseActivationBackward(i, null);
                d.ActivationBackwardFused = false;
            }
        }
        if (!FuseEpilogues)
            return;
        PlanActivationBackwards();
        var at = _ops.Select((o, i) => (o, i)).SelectMany(p => p.o.Outputs.Select(t => (t, p.i))).ToDictionary();
        for (int i = 0; i < _ops.Count; i++)
        {
            if (_ops[i] is not DenseOp dense)
                continue;
            var made = new HashSet<Tensor> { dense.Y };
            var members = new List<Op>();
            var noise = new List<NoiseOp>();
            for (int j = i + 1; j < _ops.Count; j++)
            {
                var op = _ops[j];
                if (op is not IRowWiseOp || op.Outputs.Any(o => o.Rows != dense.Y.Rows))
                    break;
                if (op is NoiseOp nz)
                {
                    noise.Add(nz);
                    continue;
                }
                var reads = noise.Where(nz => op.Inputs.Contains(nz.Outputs[0])).ToList();
                bool ready = op.Inputs.All(t =>
                    made.Contains(t) || reads.Any(nz => nz.Outputs[0] == t) || !at.TryGetValue(t, out int p) || p < i
                );
                if (!ready || !op.Inputs.Any(made.Contains))
                    break;
                foreach (var member in reads.Append<Op>(op))
                {
                    members.Add(member);
                    made.UnionWith(member.Outputs);
                }
                noise.RemoveAll(reads.Contains);
            }
            foreach (var member in members)
                member.FusedInto = dense;
            dense.Epilogue = _ops.Where(members.Contains).ToList();
        }
        PlanBackwardsInForward();
    }

    /// <summary>
    /// Runs a fused op's backward in its forward (<see cref="Op.BackwardInForward"/>) where that gives the same bits.
    /// The op is an <see cref="IRowWiseBackward"/> whose every output's gradient is final in its epilogue: a part of a
    /// trained loss term that no op reads (its seed, a constant known before the pass), or read only by members of the
    /// same epilogue whose backwards move too (the reconstruction's relaxed sample, read by its distance: its backward
    /// waits for theirs, <see cref="Op.BackwardInForwardOrder"/>). Exactly one input takes a gradient, made by the
    /// layer or its epilogue, whose rows do not repeat (so it is not folded). The writes of that gradient keep their
    /// sum: either this op is its only moved writer and at most one op after it in graph order writes it (backward
    /// runs in reverse order, so its write was the first or the second; moved it is the first, and the one other
    /// write adds in the other order: fl(a + b) = fl(b + a)), or it has at most two writers in all. Decided in
    /// reverse graph order, so an op's readers are decided before it. The memory plan counts the backward at the
    /// layer's forward step.
    /// </summary>
    void PlanBackwardsInForward()
    {
        var seeded = _losses
            .Where(l => !l.Monitor)
            .SelectMany(l => l.Parts)
            .Where(p => p.Gradient)
            .Select(p => p.Rows)
            .ToHashSet();
        var loss = _losses.SelectMany(l => l.Parts).Select(p => p.Rows).ToHashSet();
        var readers = Readers();
        var made = new Dictionary<Tensor, DenseOp>();
        foreach (var op in _ops)
        {
            if ((op as DenseOp ?? op.FusedInto) is { } layer)
            {
                foreach (var t in op.Outputs)
                    made[t] = layer;
            }
        }
        var taken = new Dictionary<Op, Tensor>(); // a moved op's one input that takes a gradient
        for (int i = _ops.Count - 1; i >= 0; i--)
        {
            var op = _ops[i];
            op.BackwardInForwardOrder = default;
            if (!BackwardsInForward || op is not IRowWiseBackward || op.FusedInto is not { } layer || !op.HasBackward)
                continue;
            bool Final(Tensor o) =>
                o.RequiresGrad
                && (
                    seeded.Contains(o) && readers[o].Count == 0
                    || !loss.Contains(o)
                        && readers[o].Count > 0
                        && readers[o].All(r => r.BackwardInForward && r.FusedInto == layer)
                );
            var takes = op.Inputs.Where((t, k) => t.RequiresGrad && op.Differentiable(k)).Distinct().ToList();
            if (!op.Outputs.All(Final) || takes is not [{ Kind: TensorKind.Activation, RowPeriod: 0 } t])
                continue;
            if (!made.TryGetValue(t, out var maker) || maker != layer)
                continue;
            var writers = _ops.Where(o => o.WritesGrad(t)).ToList();
            bool movedWriter = writers.Any(o => o.BackwardInForward);
            op.BackwardInForward = movedWriter ? writers.Count <= 2 : _ops.Skip(i + 1).Count(o => o.WritesGrad(t)) <= 1;
            if (op.BackwardInForward)
            {
                op.BackwardInForwardOrder = (op.Outputs.Any(o => readers[o].Count > 0), false);
                taken[op] = t;
            }
        }
        // In a block the moved backwards run in graph order, those that wait after them in reverse order: a later one
        // adds into a gradient that an earlier one wrote.
        foreach (var layer in _ops.OfType<DenseOp>())
        {
            var moved = layer.Epilogue.Where(o => o.BackwardInForward).ToList();
            var order = moved
                .Where(o => !o.BackwardInForwardOrder.AfterReaders)
                .Concat(moved.Where(o => o.BackwardInForwardOrder.AfterReaders).Reverse())
                .ToList();
            var written = new HashSet<Tensor>();
            foreach (var op in order)
                op.BackwardInForwardOrder = op.BackwardInForwardOrder with { Accumulates = !written.Add(taken[op]) };
        }
    }

    /// <summary>
    /// Pairs dense layers whose first input part is the same tensor (the classifier's and the z-encoder's first layers
    /// on one batch of images): the earliest in graph order leads, and each later one (<see cref="DenseOp.Siblings"/>)
    /// has its part-0 product made in the lead's forward and its part-0 weight gradient (and db, if that was its only
    /// part) in the lead's backward, each one <see cref="Backend.Gemms"/> call that reads the input once. Every element
    /// is its own GEMM's, and every gradient is added in the same order: nothing between the two in graph order reads
    /// the sibling's weights, so nothing else adds to their gradients between its own backward and the lead's. The
    /// same bits. Not for periodic layers; a sibling whose part 0 is its only part joins only without a row-wise
    /// epilogue (its whole forward moves to the lead's step). Run after <see cref="PlanEpilogues"/>, under the same
    /// switch (<see cref="FuseEpilogues"/>).
    /// </summary>
    internal void PlanSharedInputs()
    {
        foreach (var d in _ops.OfType<DenseOp>())
            d.ClearSiblings();
        if (!FuseEpilogues)
            return;
        for (int i = 0; i < _ops.Count; i++)
        {
            if (_ops[i] is not DenseOp lead || lead.InputLead is not null || lead.Y.RowPeriod > 0)
                continue;
            for (int j = i + 1; j < _ops.Count; j++)
            {
                if (
                    _ops[j] is not DenseOp sibling
                    || sibling.Xs[0] != lead.Xs[0]
                    || sibling.InputLead is not null
                    || sibling.Y.RowPeriod > 0
                    || sibling.W == lead.W
                    || (sibling.Xs.Count == 1 && sibling.Epilogue.Count > 0)
                    || _ops.Skip(i + 1)
                        .Take(j - i - 1)
                        .Any(o => o.Inputs.Contains(sibling.W) || o.Inputs.Contains(sibling.B))
                )
                {
                    continue;
                }
                lead.AddSibling(sibling);
            }
        }
    }

    /// <summary>
    /// Moves a dense layer's activation backward into the epilogue of the GEMM that writes its output gradient last: the
    /// input-gradient GEMM of the dense layer that is the output's first reader in graph order (backward runs in
    /// reverse order, so that GEMM is the last to add to it), when that layer reads the output as one part, runs its
    /// backward on the whole batch, and the output is not periodic. Each element's dZ is the same product on the same
    /// final dY, and db sums the same dZ in the same order: the same bits.
    /// </summary>
    void PlanActivationBackwards()
    {
        var first = new Dictionary<Tensor, Op>();
        foreach (var op in _ops)
        {
            foreach (var t in op.Inputs)
                first.TryAdd(t, op);
        }
        foreach (var below in _ops.OfType<DenseOp>())
        {
            var y = below.Y;
            if (
                below.Act == Activation.None
                || y.RowPeriod > 0
                || !y.RequiresGrad
                || !first.TryGetValue(y, out var reader)
                || reader is not DenseOp above
                || above.FoldsBackward
                || above.Xs.Count(x => x == y) != 1
            )
            {
                continue;
            }
            above.FuseActivationBackward(above.Xs.ToList().IndexOf(y), below);
            below.ActivationBackwardFused = true;
        }
    }
}
