namespace Untapped.Training.Evaluation;

/// <summary>
/// docs/model.md §6: assignment of latent dims to digits: each dim proposes its most probable class among those left;
/// a dim whose proposal no other dim shares takes it; of dims that contest a class, the one with the highest
/// probability wins it (ties: the lower dim) and the rest try again on the classes left.
/// </summary>
public static class Permutation
{
    /// <param name="probs">[dims, classes] row-major probabilities (dims &lt;= classes).</param>
    /// <returns>For each dim, the class index it is assigned.</returns>
    public static int[] Assign(float[] probs, int dims, int classes)
    {
        if (dims > classes)
            throw new ArgumentException($"{dims} dims cannot take distinct classes among {classes}");
        if (probs.Length != dims * classes)
            throw new ArgumentException($"expected {dims}x{classes} probabilities, got {probs.Length}");
        var result = Enumerable.Repeat(-1, dims).ToArray();
        var freeClasses = Enumerable.Range(0, classes).ToHashSet();
        var open = Enumerable.Range(0, dims).ToList();
        while (open.Count > 0)
        {
            var proposal = open.ToDictionary(
                d => d,
                d => freeClasses.OrderByDescending(c => probs[d * classes + c]).ThenBy(c => c).First()
            );
            foreach (var group in proposal.GroupBy(kv => kv.Value))
            {
                var winner = group
                    .OrderByDescending(kv => probs[kv.Key * classes + group.Key])
                    .ThenBy(kv => kv.Key)
                    .First()
                    .Key;
                result[winner] = group.Key;
                freeClasses.Remove(group.Key);
                open.Remove(winner);
            }
        }
        return result;
    }
}
