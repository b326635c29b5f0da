namespace Untapped.Training.Evaluation;

/// <summary>
/// docs/model.md §6: assignment of latent dims to digits: each dim proposes its most probable class among those left;
/// a dim whose proposal no other dim shares takes it; of dims that contest a class, the one with the highest
/// probability wins it (ties: the lower dim) and the rest try again on the classes left.
/// </summary>
public static class Permutation
{
    /// <summary>
    /// The assignment-free score (issue 44): the permutation of dims <paramref name="first"/>.. onto the digits
    /// <paramref name="first"/>.. (the lower dims fixed) that minimises sum_t cost[t, dim(t)], by enumerating all of
    /// them (5! = 120 for the five free dims); ties go to the lexicographically first. Returns, for each dim, its
    /// digit.
    /// </summary>
    /// <param name="cost">[classes, classes] row-major: cost[t * classes + d] of reading digit t from dim d.</param>
    public static int[] Best(double[] cost, int classes, int first)
    {
        int free = classes - first;
        int[] best = [.. Enumerable.Range(0, classes)];
        double bestCost = double.PositiveInfinity;
        var dimOf = new int[free]; // dimOf[t - first]: the dim read for digit t
        var used = new bool[free];
        // Digits in order, each taking the lowest unused dim first: the permutations in lexicographic order.
        void Try(int k)
        {
            if (k == free)
            {
                double c = 0;
                for (int j = 0; j < free; j++)
                    c += cost[(first + j) * classes + dimOf[j]];
                if (c < bestCost)
                {
                    bestCost = c;
                    for (int j = 0; j < free; j++)
                        best[dimOf[j]] = first + j;
                }
                return;
            }
            for (int i = 0; i < free; i++)
            {
                if (used[i])
                    continue;
                used[i] = true;
                dimOf[k] = first + i;
                Try(k + 1);
                used[i] = false;
            }
        }
        Try(0);
        return best;
    }

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
