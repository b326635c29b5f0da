using System.Text.Json;
using Untapped.Training.Model;

namespace Untapped.Training.Experiments;

/// <summary>
/// results.json, typed: what a script reads of a <see cref="SweepReport"/> (each group with its trials and summaries,
/// each paired comparison). Keys are the properties in snake case; a CI that no test bounds is null.
/// </summary>
public sealed record ResultsJson(IReadOnlyList<ResultsJson.Group> Groups, IReadOnlyList<ResultsJson.Paired> Comparisons)
{
    public sealed record Group(
        [property: System.Text.Json.Serialization.JsonPropertyName("group")] string GroupName,
        string Model,
        string Preset,
        string Switches,
        int Epochs,
        int N,
        Stat Ce,
        Stat Acc,
        Stat DistinctDigits,
        double PaperCe,
        int PaperDigits,
        IReadOnlyList<Trial> Trials
    );

    public sealed record Trial(
        string Name,
        ulong Seed,
        double CeHeldout,
        double AccHeldout,
        double AccLabelled,
        int DistinctDigits,
        double TrainSeconds
    );

    public sealed record Stat(double Mean, double Std, double[] Ci95);

    public sealed record Test(int Pairs, double MeanDiff, double[]? Ci95, double PSignFlip, int ABetter);

    public sealed record Paired(string What, string A, string B, Test Ce, Test Acc);

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static ResultsJson Of(SweepReport r) =>
        new(
            [
                .. r.Groups.Select(g => new Group(
                    g.Group,
                    g.Model.ToString().ToLowerInvariant(),
                    g.Preset.ToString().ToLowerInvariant(),
                    g.Switches,
                    g.Epochs,
                    g.Ce.N,
                    Of(g.Ce),
                    Of(g.Acc),
                    Of(g.Digits),
                    SweepReport.PaperCe(g.Model),
                    SweepReport.PaperDigits(g.Model),
                    [
                        .. g.Trials.Select(t => new Trial(
                            t.Name,
                            t.Options.Seed,
                            t.Ce,
                            t.Acc,
                            t.AccLabelled,
                            t.Digits,
                            t.TrainSeconds
                        )),
                    ]
                )),
            ],
            [.. r.Comparisons.Select(c => new Paired(c.What, c.A, c.B, Of(c.Ce), Of(c.Acc)))]
        );

    static Stat Of(Summary s) => new(s.Mean, s.Std, [s.CiLow, s.CiHigh]);

    static Test Of(PairedComparison c) =>
        new(c.Pairs, c.MeanDiff, double.IsInfinity(c.CiLow) ? null : [c.CiLow, c.CiHigh], c.PValue, c.AWins);

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
