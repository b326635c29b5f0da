using System.Text.Json;
using Untapped.Training.Model;
using Untapped.Training.Runs;
using Untapped.Training.Storage;

namespace Untapped.Training.Experiments;

/// <summary>One finished trial as the report reads it from its run directory.</summary>
public sealed record TrialResult(
    string Name,
    RunOptions Options,
    string Group,
    double Ce,
    double Acc,
    double AccLabelled,
    int Digits,
    double TrainSeconds
);

/// <summary>A group of trials that differ only by seed: their summaries.</summary>
public sealed record GroupResult(
    string Group,
    ModelKind Model,
    Preset Preset,
    string Switches,
    int Epochs,
    IReadOnlyList<TrialResult> Trials,
    Summary Ce,
    Summary Acc,
    Summary Digits
);

/// <summary>A paired comparison of two groups over the seeds both hold (a - b).</summary>
public sealed record Comparison(string A, string B, string What, PairedComparison Ce, PairedComparison Acc);

/// <summary>
/// `untapped experiment report`: every finished trial (a subfolder with config.json and eval.json) grouped by
/// (model, preset, switches that differ from the preset, epochs), with statistics, paired comparisons by seed
/// (Untapped against M2 under the same preset and switches; an ablated Untapped against the plain one), the paper's
/// figures beside them, and the held-out cross-entropy of every trial by group as a figure. This class builds the
/// report (reads, groups, compares); <see cref="SweepReportMarkdown"/>, <see cref="ResultsJson"/> and the figures write
/// it (<see cref="Write"/>).
/// </summary>
public sealed class SweepReport
{
    public const string MarkdownFile = "results.md",
        JsonFile = "results.json",
        FigureFile = "ce_by_group.png";

    /// <summary>The paper's Table 1 (held-out cross-entropy) and Figure 2 (distinct digits of 10).</summary>
    public static double PaperCe(ModelKind m) => m == ModelKind.M2 ? 2.30 : 2.07;

    public static int PaperDigits(ModelKind m) => m == ModelKind.M2 ? 9 : 10;

    /// <summary>Writes results.md, results.json and the figures into <paramref name="root"/>.</summary>
    public void Write(string root)
    {
        AtomicFile.WriteText(Path.Combine(root, MarkdownFile), Markdown);
        AtomicFile.WriteText(Path.Combine(root, JsonFile), ResultsJson.Of(this).ToJson());
        SweepFigure.Write(Path.Combine(root, FigureFile), Groups);
        ReverseFigure.Write(root, Groups);
        HeldOutFigure.Write(root, Curves);
    }

    SweepReport(
        IReadOnlyList<GroupResult> groups,
        IReadOnlyList<Comparison> comparisons,
        IReadOnlyList<GroupCurve> curves
    )
    {
        Groups = groups;
        Comparisons = comparisons;
        Curves = curves;
    }

    /// <summary>
    /// The held-out metrics by epoch of the groups whose trials logged them (<see cref="HeldOutByEpoch"/>).
    /// </summary>
    public IReadOnlyList<GroupCurve> Curves { get; }

    public IReadOnlyList<GroupResult> Groups { get; }
    public IReadOnlyList<Comparison> Comparisons { get; }

    /// <summary>results.md's text (<see cref="SweepReportMarkdown"/>).</summary>
    public string Markdown => SweepReportMarkdown.Of(this);

    public static SweepReport Build(string root)
    {
        if (!Directory.Exists(root))
            throw new UsageException($"{root}: no such sweep folder");
        var trials = Directory
            .GetDirectories(root)
            .OrderBy(d => d, StringComparer.Ordinal)
            .Select(Read)
            .OfType<TrialResult>()
            .ToList();
        if (trials.Count == 0)
        {
            throw new UsageException(
                $"{root}: no finished trial (no subfolder holds {RunDirectory.ConfigFile} and {RunDirectory.EvalFile})"
            );
        }

        var groups = trials
            .GroupBy(t => t.Group)
            .Select(g =>
            {
                var o = g.First().Options;
                var list = g.OrderBy(t => t.Options.Seed).ToList();
                return new GroupResult(
                    g.Key,
                    o.Model.Kind,
                    o.Preset,
                    SwitchesOf(o),
                    o.Model.Epochs,
                    list,
                    Statistics.Summarise(list.Select(t => t.Ce).ToList()),
                    Statistics.Summarise(list.Select(t => t.Acc).ToList()),
                    Statistics.Summarise(list.Select(t => (double)t.Digits).ToList())
                );
            })
            .OrderBy(g => g.Preset)
            .ThenBy(g => g.Switches.Length > 0)
            .ThenBy(g => g.Switches, StringComparer.Ordinal)
            .ThenBy(g => g.Model == ModelKind.Untapped)
            .ToList();

        var comparisons = new List<Comparison>();
        foreach (var a in groups.Where(g => g.Model == ModelKind.Untapped))
        {
            var m2Switches = string.Join(
                ",",
                a.Switches.Split(',', StringSplitOptions.RemoveEmptyEntries)
                    .Where(kv => !UntappedOnlyJson.Contains(kv[..kv.IndexOf('=')]))
            );
            if (
                groups.FirstOrDefault(b =>
                    b.Model == ModelKind.M2 && b.Preset == a.Preset && b.Switches == m2Switches && b.Epochs == a.Epochs
                ) is
                { } m2
            )
            {
                Compare(a, m2, "Untapped - M2", comparisons);
            }

            if (
                a.Switches.Length > 0
                && groups.FirstOrDefault(b =>
                    b.Model == ModelKind.Untapped
                    && b.Preset == a.Preset
                    && b.Switches.Length == 0
                    && b.Epochs == a.Epochs
                )
                    is { } plain
            )
            {
                Compare(a, plain, "ablation - Untapped", comparisons);
            }
        }
        var curves = HeldOutByEpoch.Of(root, groups);
        return new SweepReport(groups, comparisons, curves);
    }

    static void Compare(GroupResult a, GroupResult b, string what, List<Comparison> into)
    {
        var seeds = a
            .Trials.Select(t => t.Options.Seed)
            .Intersect(b.Trials.Select(t => t.Options.Seed))
            .Order()
            .ToList();
        if (seeds.Count == 0)
            return;
        TrialResult By(GroupResult g, ulong s) => g.Trials.First(t => t.Options.Seed == s);
        into.Add(
            new Comparison(
                a.Group,
                b.Group,
                what,
                Statistics.Paired(
                    seeds.Select(s => By(a, s).Ce).ToList(),
                    seeds.Select(s => By(b, s).Ce).ToList(),
                    lowerIsBetter: true
                ),
                Statistics.Paired(
                    seeds.Select(s => By(a, s).Acc).ToList(),
                    seeds.Select(s => By(b, s).Acc).ToList(),
                    lowerIsBetter: false
                )
            )
        );
    }

    /// <summary>
    /// <see cref="ModelConfig.UntappedOnly"/> by their names in config.json, as <see cref="SwitchesOf"/> spells them.
    /// </summary>
    static readonly HashSet<string> UntappedOnlyJson =
    [
        .. ModelConfig.UntappedOnly.Select(RunOptions.Json.PropertyNamingPolicy!.ConvertName),
    ];

    /// <summary>The model switches that differ from the preset's value, as "name=value", comma-separated.</summary>
    static string SwitchesOf(RunOptions o)
    {
        var preset = JsonSerializer
            .SerializeToNode(ModelConfig.For(o.Preset, o.Model.Kind) with { Epochs = 0 }, RunOptions.Json)!
            .AsObject();
        var mine = JsonSerializer.SerializeToNode(o.Model with { Epochs = 0 }, RunOptions.Json)!.AsObject();
        return string.Join(
            ",",
            mine.Where(kv => preset[kv.Key]?.ToJsonString() != kv.Value?.ToJsonString())
                .Select(kv => $"{kv.Key}={kv.Value?.ToJsonString().Trim('"')}")
        );
    }

    static TrialResult? Read(string dir)
    {
        var evalPath = Path.Combine(dir, RunDirectory.EvalFile);
        if (!File.Exists(evalPath) || RunDirectory.ReadOptions(dir) is not { } o)
            return null;
        var e = EvalJson.Read(evalPath);
        double seconds = MetricsJsonl.Read(Path.Combine(dir, RunDirectory.MetricsFile)).Sum(m => m.Seconds);
        var sw = SwitchesOf(o);
        var group =
            $"{o.Model.Kind.ToString().ToLowerInvariant()} / {o.Preset.ToString().ToLowerInvariant()}{(sw.Length > 0 ? " / " + sw : "")} / {o.Model.Epochs} epochs";
        return new TrialResult(
            Path.GetFileName(dir),
            o,
            group,
            e.CeHeldout,
            e.AccHeldout,
            e.AccLabelled,
            e.DistinctDigits,
            seconds
        );
    }
}
