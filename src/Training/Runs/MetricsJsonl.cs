using System.Text.Json;
using System.Text.Json.Nodes;

namespace Untapped.Training.Runs;

/// <summary>
/// metrics.jsonl, one <see cref="EpochMetrics"/> per line: {"epoch", "lr", every loss term and monitor by name,
/// "step_ms", "samples_per_s", "seconds"}, and on evaluated epochs "heldout": {"ce", "acc", "distinct_digits",
/// "permutation", "entropy", and from issue 44 on "ce_best", "acc_best", "permutation_best"} (<see cref="HeldOutMetrics"/>). The one writer and reader of the format (the run writes
/// it; the curves and sweep figures and the sweep report read it).
/// </summary>
public static class MetricsJsonl
{
    const string Epoch = "epoch",
        Lr = "lr",
        StepMs = "step_ms",
        SamplesPerSecond = "samples_per_s",
        Seconds = "seconds";
    const string HeldOut = "heldout",
        Ce = "ce",
        Acc = "acc",
        Distinct = "distinct_digits",
        Permutation = "permutation",
        Entropy = "entropy",
        CeBest = "ce_best",
        AccBest = "acc_best",
        PermutationBest = "permutation_best";

    /// <summary>One line, without its newline.</summary>
    public static string Format(EpochMetrics m)
    {
        var o = new JsonObject { [Epoch] = m.Epoch, [Lr] = m.LearningRate };
        foreach (var (k, v) in m.Losses)
            o[k] = v;
        o[StepMs] = Math.Round(m.StepMs, 3);
        o[SamplesPerSecond] = Math.Round(m.SamplesPerSecond, 1);
        o[Seconds] = Math.Round(m.Seconds, 3);
        if (m.HeldOut is { } h)
        {
            o[HeldOut] = new JsonObject
            {
                [Ce] = h.Ce,
                [Acc] = h.Accuracy,
                [Distinct] = h.DistinctDigits,
                [Permutation] = new JsonArray([.. h.Permutation.Select(p => (JsonNode)p)]),
                [Entropy] = h.Entropy,
            };
            if (h.Best is { } b)
            {
                o[HeldOut]![CeBest] = b.Ce;
                o[HeldOut]![AccBest] = b.Accuracy;
                o[HeldOut]![PermutationBest] = new JsonArray([.. b.Permutation.Select(p => (JsonNode)p)]);
            }
        }

        return o.ToJsonString();
    }

    /// <summary>
    /// One line back: every key that is not one of the fixed ones (nor "heldout") is a loss term, in file order.
    /// </summary>
    public static EpochMetrics Parse(string line, string file)
    {
        // A JSON object with a key twice parses, and throws ArgumentException when first read (found by fuzzing:
        // tests/fuzz/regressions/metrics).
        try
        {
            return ParseObject(line, file);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new Data.DataFormatException($"{file}: a line is not a metrics record: {e.Message}");
        }
    }

    static EpochMetrics ParseObject(string line, string file)
    {
        JsonObject o;
        try
        {
            o = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            throw new Data.DataFormatException($"{file}: a line is not a metrics record: {e.Message}");
        }
        double Num(JsonObject from, string k) =>
            from[k] is JsonValue v && v.TryGetValue(out double d)
                ? d
                : throw new Data.DataFormatException($"{file}: a line has no number '{k}'");
        var losses = new Dictionary<string, double>();
        foreach (var (k, v) in o)
        {
            if (k is not (Epoch or Lr or StepMs or SamplesPerSecond or Seconds or HeldOut))
                losses[k] = Num(o, k);
        }

        return new EpochMetrics(
            (int)Num(o, Epoch),
            Num(o, Lr),
            losses,
            Num(o, StepMs),
            Num(o, SamplesPerSecond),
            Num(o, Seconds),
            o[HeldOut] is null ? null : ParseHeldOut(o[HeldOut], file, Num)
        );
    }

    static HeldOutMetrics ParseHeldOut(JsonNode? node, string file, Func<JsonObject, string, double> num)
    {
        if (node is not JsonObject h || h[Permutation] is not JsonArray perm)
        {
            throw new Data.DataFormatException(
                $"{file}: a line's '{HeldOut}' is not an object with a '{Permutation}' list"
            );
        }

        int[] Ints(JsonArray a, string key)
        {
            var p = new int[a.Count];
            for (int i = 0; i < p.Length; i++)
            {
                p[i] =
                    a[i] is JsonValue v && v.TryGetValue(out int d)
                        ? d
                        : throw new Data.DataFormatException($"{file}: '{HeldOut}.{key}' holds a non-integer");
            }
            return p;
        }

        var p = Ints(perm, Permutation);
        Evaluation.BestPermutation? best = null;
        if (h[PermutationBest] is JsonArray pb)
            best = new(num(h, CeBest), num(h, AccBest), Ints(pb, PermutationBest));

        double distinct = num(h, Distinct);
        if (distinct != Math.Floor(distinct) || distinct < 0 || distinct > int.MaxValue)
            throw new Data.DataFormatException($"{file}: '{HeldOut}.{Distinct}' is not a count: {distinct}");
        return new HeldOutMetrics(num(h, Ce), num(h, Acc), (int)distinct, p, num(h, Entropy), best);
    }

    /// <summary>Every complete line of <paramref name="file"/>; none when it does not exist.</summary>
    public static IReadOnlyList<EpochMetrics> Read(string file) =>
        File.Exists(file) ? File.ReadLines(file).Where(l => l.Length > 0).Select(l => Parse(l, file)).ToList() : [];
}
