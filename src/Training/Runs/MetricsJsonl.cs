using System.Text.Json;
using System.Text.Json.Nodes;

namespace Untapped.Training.Runs;

/// <summary>
/// metrics.jsonl, one <see cref="EpochMetrics"/> per line: {"epoch", "lr", every loss term and monitor by name,
/// "step_ms", "samples_per_s", "seconds"}. The one writer and reader of the format (the run writes it; the curves and
/// sweep figures and the sweep report read it).
/// </summary>
public static class MetricsJsonl
{
    const string Epoch = "epoch", Lr = "lr", StepMs = "step_ms", SamplesPerSecond = "samples_per_s", Seconds = "seconds";

    /// <summary>One line, without its newline.</summary>
    public static string Format(EpochMetrics m)
    {
        var o = new JsonObject { [Epoch] = m.Epoch, [Lr] = m.LearningRate };
        foreach (var (k, v) in m.Losses) o[k] = v;
        o[StepMs] = Math.Round(m.StepMs, 3);
        o[SamplesPerSecond] = Math.Round(m.SamplesPerSecond, 1);
        o[Seconds] = Math.Round(m.Seconds, 3);
        return o.ToJsonString();
    }

    /// <summary>One line back: every key that is not one of the five fixed ones is a loss term, in file order.</summary>
    public static EpochMetrics Parse(string line, string file)
    {
        JsonObject o;
        try { o = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object"); }
        catch (JsonException e) { throw new Data.DataFormatException($"{file}: a line is not a metrics record: {e.Message}"); }
        double Num(string k) => o[k] is JsonValue v && v.TryGetValue(out double d) ? d : throw new Data.DataFormatException($"{file}: a line has no number '{k}'");
        var losses = new Dictionary<string, double>();
        foreach (var (k, v) in o)
            if (k is not (Epoch or Lr or StepMs or SamplesPerSecond or Seconds)) losses[k] = Num(k);
        return new EpochMetrics((int)Num(Epoch), Num(Lr), losses, Num(StepMs), Num(SamplesPerSecond), Num(Seconds));
    }

    /// <summary>Every complete line of <paramref name="file"/>; none when it does not exist.</summary>
    public static IReadOnlyList<EpochMetrics> Read(string file) =>
        File.Exists(file) ? File.ReadLines(file).Where(l => l.Length > 0).Select(l => Parse(l, file)).ToList() : [];
}
