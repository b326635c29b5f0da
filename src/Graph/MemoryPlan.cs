namespace Untapped.Graph;

/// <summary>
/// Liveness-based placement of every activation, input and activation-gradient in one arena. Inputs live for the whole
/// schedule. Schedule steps: forward op i runs at step i, the loss reduction and gradient seeding at step N, and the
/// backward of op i at step 2N - i (an op fused into a dense layer's epilogue runs its forward at the layer's step, so
/// every tensor of the fused group is live together there, and one whose backward runs in its forward runs that there
/// too, its output gradients seeded there: <see cref="GradStarts"/> then holds forward steps; a dense layer's part 0
/// made by its lead's GEMMs, its output from the lead's forward and its output gradient to the lead's backward). A
/// value lives from its producer (inputs: step 0) to its last reader, which for ops with a backward includes that
/// backward where it reads the value (<see cref="Op.BackwardReads"/>); a gradient lives from its first writer (the
/// seed, or the backward of its last consumer) to the backward of its producer. Placement is greedy first-fit, largest
/// first; two intervals that overlap never share bytes. A periodic tensor stores one period where nothing reads or
/// writes more (<see cref="Slot.Floats"/>): a dense layer's output that it leaves unfilled (<see
/// cref="DenseOp.FillsPeriods"/>), and a gradient kept folded (<see cref="Tensor.FoldedGrad"/>).
/// </summary>
public sealed class MemoryPlan
{
    public const int Align = 16; // floats: 64-byte alignment for every tensor

    /// <summary>
    /// A tensor's value or gradient placed: live from step Start to End, at Offset for Length floats (Floats, what the
    /// tensor's view holds, rounded up to <see cref="Align"/>).
    /// </summary>
    public sealed record Slot(Tensor Tensor, bool IsGrad, int Start, int End, int Offset, int Length, int Floats);

    readonly Dictionary<int, Slot> _values = new(),
        _grads = new();

    public IReadOnlyCollection<Slot> Slots => [.. _values.Values, .. _grads.Values];
    public int ArenaLength { get; }
    public long PeakBytes => (long)ArenaLength * 4;

    /// <summary>Step at which each gradient is first written (and so zero-filled, unless seeded).</summary>
    public ILookup<int, Tensor> GradStarts { get; }

    public MemoryPlan(ComputeGraph g)
    {
        int n = g.Ops.Count,
            seedStep = n;
        int Bwd(int i) => 2 * n - i;
        // An op fused into a dense layer's epilogue runs its forward at the layer's step (its backward in its own).
        var index = g.Ops.Select((o, i) => (o, i)).ToDictionary(p => p.o, p => p.i);
        int Fwd(int i) => g.Ops[i].FusedInto is { } d ? index[d] : i;
        // An op whose backward runs in its forward (Op.BackwardInForward) reads and writes its gradients there.
        int Back(int i) => g.Ops[i].BackwardInForward ? Fwd(i) : Bwd(i);
        // A dense layer whose part 0 runs in its lead's GEMMs (DenseOp.InputLead): its output is first written at the
        // lead's forward, and its output gradient (its dZ) last read at the lead's backward.
        int Born(int i) => g.Ops[i] is DenseOp { InputLead: { } lead } ? index[lead] : Fwd(i);
        int Died(int i) => g.Ops[i] is DenseOp { InputLead: { } lead } ? Bwd(index[lead]) : Back(i);
        var producer = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            foreach (var o in g.Ops[i].Outputs)
                producer[o.Id] = i;
        }

        var lossRows = g.Losses.SelectMany(l => l.Parts).Select(p => p.Rows.Id).ToHashSet();

        var valueEnd = new Dictionary<int, int>();
        var gradStart = new Dictionary<int, int>();
        void Extend(Dictionary<int, int> d, int id, int s, Func<int, int, int> pick) =>
            d[id] = d.TryGetValue(id, out var v) ? pick(v, s) : s;

        for (int i = 0; i < n; i++)
        {
            var op = g.Ops[i];
            bool back = op.HasBackward;
            foreach (var t in op.Inputs.Concat(op.Outputs))
            {
                if (t.Kind != TensorKind.Parameter)
                    Extend(valueEnd, t.Id, back && op.BackwardReads(t) ? Back(i) : Fwd(i), Math.Max);
            }

            for (int k = 0; k < op.Inputs.Length; k++)
            {
                var t = op.Inputs[k];
                if (t.Kind != TensorKind.Parameter && t.RequiresGrad && back && op.Differentiable(k))
                    Extend(gradStart, t.Id, Back(i), Math.Min);
            }
        }
        foreach (var id in lossRows)
        {
            Extend(valueEnd, id, seedStep, Math.Max);
            if (g.Tensors[id].RequiresGrad)
                Extend(gradStart, id, seedStep, Math.Min);
        }

        var intervals = new List<(Tensor T, bool Grad, int Start, int End)>();
        foreach (var t in g.Tensors)
        {
            if (t.Kind == TensorKind.Parameter)
                continue;
            int p = producer.TryGetValue(t.Id, out var pi) ? Born(pi) : 0;
            // Inputs persist for the whole schedule, so a caller may run several passes on one SetInput.
            int valueEndStep =
                t.Kind == TensorKind.Input ? 2 * n
                : valueEnd.TryGetValue(t.Id, out var e) ? e
                : p;
            intervals.Add((t, false, p, valueEndStep));
            if (t.RequiresGrad && producer.ContainsKey(t.Id))
            {
                int end = Died(producer[t.Id]);
                intervals.Add((t, true, gradStart.TryGetValue(t.Id, out var s) ? Math.Min(s, end) : end, end));
            }
        }

        // One period of rows where no op reads or writes the others.
        int Floats(Tensor t, bool grad) =>
            t.RowPeriod == 0 ? t.Length
            : grad ? (t.FoldedGrad ? t.RowPeriod * t.Cols : t.Length)
            : producer.TryGetValue(t.Id, out int pi) && g.Ops[pi] is DenseOp { FillsPeriods: false }
                ? t.RowPeriod * t.Cols
            : t.Length;
        var placed = new List<Slot>();
        foreach (
            var iv in intervals
                .Select(v => (v.T, v.Grad, v.Start, v.End, Floats: Floats(v.T, v.Grad)))
                .OrderByDescending(v => v.Floats)
                .ThenBy(v => v.Start)
                .ThenBy(v => v.T.Id)
                .ThenBy(v => v.Grad)
        )
        {
            int len = (iv.Floats + Align - 1) / Align * Align,
                offset = 0;
            foreach (var other in placed.Where(s => s.Start <= iv.End && iv.Start <= s.End).OrderBy(s => s.Offset))
            {
                if (offset + len <= other.Offset)
                    break;
                offset = Math.Max(offset, other.Offset + other.Length);
            }
            var slot = new Slot(iv.T, iv.Grad, iv.Start, iv.End, offset, len, iv.Floats);
            placed.Add(slot);
            (iv.Grad ? _grads : _values)[iv.T.Id] = slot;
            ArenaLength = Math.Max(ArenaLength, offset + len);
        }
        GradStarts = _grads.Values.ToLookup(s => s.Start, s => s.Tensor);
    }

    public Slot Value(Tensor t) =>
        _values.TryGetValue(t.Id, out var s) ? s : throw new KeyNotFoundException($"{t} has no planned storage");

    public Slot? Grad(Tensor t) => _grads.TryGetValue(t.Id, out var s) ? s : null;
}
