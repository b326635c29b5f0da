using Untapped.Graph;

namespace Untapped.Training.Tests;

/// <summary>
/// A forward pass with some op outputs replaced, by tensor name, right after their op runs: explicit noise for the
/// oracle test, or frozen hard samples when a finite-difference check must treat them as constants. Test-only, so
/// the production executor carries no such switch. A replaced value reaches every op run after it, not a backward
/// already run in the forward (<see cref="Op.BackwardInForward"/>): a caller that runs Backward after this turns
/// those off (<see cref="ComputeGraph.BackwardsInForward"/>).
/// </summary>
static class Overrides
{
    public static void Forward(Executor ex, IReadOnlyDictionary<string, float[]> values)
    {
        foreach (var op in ex.Graph.Ops)
        {
            ex.ForwardOp(op);
            foreach (var o in op.Outputs)
            {
                if (values.TryGetValue(o.Name, out var v))
                {
                    if (v.Length != o.Length)
                        throw new ArgumentException($"override for {o} has {v.Length} values");
                    ex.Backend.CopyFromHost(v, ex.Value(o));
                }
            }
        }
        ex.ReduceLosses();
    }
}
