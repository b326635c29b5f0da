namespace Untapped.Graph;

/// <summary>
/// One node of the static graph. Forward writes <see cref="Outputs"/> from <see cref="Inputs"/>; Backward
/// accumulates into the gradients of the inputs that have them, reading inputs, outputs and output gradients
/// through the <see cref="IOpContext"/> it is given (an op whose kernel can also overwrite asks
/// <see cref="IOpContext.GradForWrite"/> whether it is the first writer of the pass, which saves zero-filling and
/// re-reading the buffer). Subclasses keep their tensors in named fields; <see cref="Inputs"/> and
/// <see cref="Outputs"/> exist for the graph's bookkeeping (topological checks, liveness), not for the kernels.
/// </summary>
public abstract class Op
{
    protected Op(string label, Tensor[] inputs, Tensor[] outputs)
    {
        Label = label;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>Kind of op for the timing table (e.g. "dense", "bernoulli_loglik").</summary>
    public abstract string Kind { get; }

    /// <summary>Where it sits in the model (e.g. "decoder.l1 (labelled)").</summary>
    public string Label { get; }
    public Tensor[] Inputs { get; }
    public Tensor[] Outputs { get; }

    /// <summary>
    /// Whether the op passes gradient to input <paramref name="index"/> (data-like inputs such as noise do not).
    /// </summary>
    public virtual bool Differentiable(int index) => true;

    /// <summary>
    /// Whether Backward reads the value of <paramref name="t"/> (an input or output): the memory plan keeps a value
    /// only as long as some op still reads it. Every op reads all of them unless it says otherwise.
    /// </summary>
    public virtual bool BackwardReads(Tensor t) => true;

    /// <summary>
    /// Whether Backward writes the gradient of input <paramref name="t"/> folded onto its first period when the graph
    /// keeps it so (<see cref="Tensor.FoldedGrad"/>, decided by <see cref="ComputeGraph.PlanFolds"/>): the Bernoulli
    /// log-likelihood of periodic logits does. Dense layers fold by their own rule.
    /// </summary>
    public virtual bool WritesFoldedGrad(Tensor t) => false;

    /// <summary>Whether Backward writes a gradient to input <paramref name="t"/>.</summary>
    public bool WritesGrad(Tensor t) => Inputs.Where((x, i) => x == t && Differentiable(i)).Any();

    /// <summary>Whether Backward has work: some differentiable input takes a gradient.</summary>
    public bool HasBackward => Inputs.Where((t, i) => t.RequiresGrad && Differentiable(i)).Any();

    /// <summary>
    /// Floating-point operations of Forward (or Backward), for the GFLOP/s column of the timing table; 0 when not
    /// counted.
    /// </summary>
    public virtual long Flops(bool backward) => 0;

    /// <summary>
    /// The dense layer that runs this op's forward in its GEMM's epilogue (<see cref="ComputeGraph.PlanEpilogues"/>),
    /// or null. The executor's forward pass skips a fused op; its backward runs in its own place.
    /// </summary>
    public DenseOp? FusedInto { get; internal set; }

    /// <summary>
    /// Whether this op's backward runs inside its forward, on each block of rows right after the block's forward, in
    /// its dense layer's epilogue while the rows are in cache (<see cref="IRowWiseBackward"/>; <see
    /// cref="ComputeGraph.PlanEpilogues"/> decides). A training executor's backward pass then skips it.
    /// </summary>
    public bool BackwardInForward { get; internal set; }

    /// <summary>
    /// For an op whose backward runs in its forward: whether it waits for the end of the block's epilogue (its output's
    /// gradient is written by the backwards of later members, which run first), and whether it adds into its input's
    /// gradient there (a moved backward before it in the block wrote that gradient first) instead of overwriting it.
    /// <see cref="ComputeGraph.PlanEpilogues"/> decides.
    /// </summary>
    public (bool AfterReaders, bool Accumulates) BackwardInForwardOrder { get; internal set; }

    public abstract void Forward(IOpContext ctx);
    public abstract void Backward(IOpContext ctx);

    public override string ToString() => $"{Kind} {Label}";
}

/// <summary>
/// An op whose output row r depends only on row r of its inputs (and, for noise, on the draw's position): it runs on
/// any block of rows, its forward being the union of the blocks. A dense layer runs the ones that read its output in
/// its GEMM's epilogue, on each block of rows while it is in cache (<see cref="ComputeGraph.PlanEpilogues"/>).
/// </summary>
public interface IRowWiseOp
{
    /// <summary>Forward on rows [<paramref name="r0"/>, <paramref name="r1"/>) of every input and output.</summary>
    void ForwardRows(IOpContext ctx, int r0, int r1);
}

/// <summary>
/// A row-wise op whose backward can also run on any block of rows. In a dense layer's epilogue it runs in the forward
/// pass (<see cref="Op.BackwardInForward"/>) where its outputs' gradients are final there (loss seeds that nothing
/// else adds to, or written by the moved backwards of the epilogue's later members) and its one input gradient is
/// written in an order that gives the same sum (<see cref="ComputeGraph.PlanEpilogues"/>).
/// </summary>
public interface IRowWiseBackward : IRowWiseOp
{
    /// <summary>
    /// Backward on rows [<paramref name="r0"/>, <paramref name="r1"/>): the input's gradient there, added into
    /// (<paramref name="accumulate"/>) or overwritten.
    /// </summary>
    void BackwardRows(IOpContext ctx, int r0, int r1, bool accumulate);

    /// <summary>
    /// Forward and backward on rows [<paramref name="r0"/>, <paramref name="r1"/>): the outputs, and the input's
    /// gradient overwritten there (the first write of the pass); an op overrides it with one kernel where the two
    /// share work.
    /// </summary>
    void ForwardAndBackwardRows(IOpContext ctx, int r0, int r1)
    {
        ForwardRows(ctx, r0, r1);
        BackwardRows(ctx, r0, r1, accumulate: false);
    }
}
