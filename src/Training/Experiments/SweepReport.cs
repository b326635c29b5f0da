using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Untapped.Training.Model;
using Untapped.Training.Reports;
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
/// figures beside them, and the held-out cross-entropy of every trial by group as a figure.
/// </summary>
public sealed class SweepReport
{
    public const string MarkdownFile = "results.md",
        JsonFile = "results.json",
        FigureFile = "ce_by_group.png";

    /// <summary>The paper's Table 1 (held-out cross-entropy) and Figure 2 (distinct digits of 10).</summary>
    public static double PaperCe(ModelKind m) => m == ModelKind.M2 ? 2.30 : 2.07;

    public static int PaperDigits(ModelKind m) => m == ModelKind.M2 ? 9 : 10;

    SweepReport(
        IReadOnlyList<GroupResult> groups,
        IReadOnlyList<Comparison> comparisons,
        IReadOnlyList<GroupCurve> curves,
        string markdown
    )
    {
        Groups = groups;
        Comparisons = comparisons;
        Curves = curves;
        Markdown = markdown;
    }

    /// <summary>
    /// The held-out metrics by epoch of the groups whose trials logged them (<see cref="HeldOutByEpoch"/>).
    /// </summary>
    public IReadOnlyList<GroupCurve> Curves { get; }

    public IReadOnlyList<GroupResult> Groups { get; }
    public IReadOnlyList<Comparison> Comparisons { get; }
    public string Markdown { get; }

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
        return new SweepReport(
            groups,
            comparisons,
            curves,
            Render(groups, comparisons) + HeldOutByEpoch.Markdown(curves, comparisons)
        );
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

    static string F(double v, int d = 3) => v.ToString("F" + d, CultureInfo.InvariantCulture);

    static string P(double p) => p < 0.001 ? "< 0.001" : F(p, 3);

    /// <summary>
    /// A paired CI in brackets, scaled (100 for percentage points); "(unbounded)" when too few pairs bound it.
    /// </summary>
    static string Ci(PairedComparison c, double scale = 1, int d = 3) =>
        double.IsInfinity(c.CiLow) ? "(unbounded)" : $"[{F(scale * c.CiLow, d)}, {F(scale * c.CiHigh, d)}]";

    static string Render(IReadOnlyList<GroupResult> groups, IReadOnlyList<Comparison> comparisons)
    {
        var sb = new StringBuilder();
        sb.Append(
            "| group | n | held-out CE: mean ± std [95 % CI] | paper CE | held-out acc: mean [95 % CI] | labelled acc | distinct digits: mean (per seed) | paper digits | train time per run |\n"
        );
        sb.Append("|---|---:|---|---:|---|---:|---|---:|---:|\n");
        foreach (var g in groups)
        {
            sb.Append(
                $"| {g.Group} | {g.Ce.N} | {F(g.Ce.Mean)} ± {F(g.Ce.Std)} [{F(g.Ce.CiLow)}, {F(g.Ce.CiHigh)}] | {F(PaperCe(g.Model), 2)} | "
                    + $"{F(100 * g.Acc.Mean, 1)} % [{F(100 * g.Acc.CiLow, 1)}, {F(100 * g.Acc.CiHigh, 1)}] | {F(100 * g.Trials.Average(t => t.AccLabelled), 1)} % | "
                    + $"{F(g.Digits.Mean, 1)} ({string.Join(" ", g.Trials.Select(t => t.Digits))}) | {PaperDigits(g.Model)} | {F(g.Trials.Average(t => t.TrainSeconds) / 60, 1)} min |\n"
            );
        }

        if (comparisons.Count > 0)
        {
            sb.Append(
                "\nPaired by seed (a - b; negative CE = a is better). p: exact two-sided sign-flip permutation test of the mean difference; CI: the differences that test does not reject at 5 % (so it excludes 0 exactly when p <= 0.05; unbounded with 5 pairs or fewer, which cannot reach p <= 0.05).\n\n"
            );
            sb.Append(
                "| comparison | a | b | pairs | Δ CE [95 % CI] | p (CE) | seeds a better (CE) | Δ acc [95 % CI] | p (acc) |\n|---|---|---|---:|---|---:|---:|---|---:|\n"
            );
            foreach (var c in comparisons)
            {
                sb.Append(
                    $"| {c.What} | {c.A} | {c.B} | {c.Ce.Pairs} | {F(c.Ce.MeanDiff)} {Ci(c.Ce)} | {P(c.Ce.PValue)} | {c.Ce.AWins}/{c.Ce.Pairs} | "
                        + $"{F(100 * c.Acc.MeanDiff, 1)} pp {Ci(c.Acc, 100, 1)} | {P(c.Acc.PValue)} |\n"
                );
            }
        }
        double total = groups.SelectMany(g => g.Trials).Sum(t => t.TrainSeconds);
        sb.Append(
            $"\n{groups.Sum(g => g.Trials.Count)} trials; training time {F(total / 3600, 2)} h in all (sum of the epochs' wall time in metrics.jsonl).\n"
        );
        return sb.ToString();
    }

    public void Write(string root)
    {
        AtomicFile.WriteText(Path.Combine(root, MarkdownFile), Markdown);
        var json = new JsonObject
        {
            ["groups"] = new JsonArray(
                Groups
                    .Select(g =>
                        (JsonNode)
                            new JsonObject
                            {
                                ["group"] = g.Group,
                                ["model"] = g.Model.ToString().ToLowerInvariant(),
                                ["preset"] = g.Preset.ToString().ToLowerInvariant(),
                                ["switches"] = g.Switches,
                                ["epochs"] = g.Epochs,
                                ["n"] = g.Ce.N,
                                ["ce"] = Node(g.Ce),
                                ["acc"] = Node(g.Acc),
                                ["distinct_digits"] = Node(g.Digits),
                                ["paper_ce"] = PaperCe(g.Model),
                                ["paper_digits"] = PaperDigits(g.Model),
                                ["trials"] = new JsonArray(
                                    g.Trials.Select(t =>
                                            (JsonNode)
                                                new JsonObject
                                                {
                                                    ["name"] = t.Name,
                                                    ["seed"] = t.Options.Seed,
                                                    ["ce_heldout"] = t.Ce,
                                                    ["acc_heldout"] = t.Acc,
                                                    ["acc_labelled"] = t.AccLabelled,
                                                    ["distinct_digits"] = t.Digits,
                                                    ["train_seconds"] = t.TrainSeconds,
                                                }
                                        )
                                        .ToArray()
                                ),
                            }
                    )
                    .ToArray()
            ),
            ["comparisons"] = new JsonArray(
                Comparisons
                    .Select(c =>
                        (JsonNode)
                            new JsonObject
                            {
                                ["what"] = c.What,
                                ["a"] = c.A,
                                ["b"] = c.B,
                                ["ce"] = Node(c.Ce),
                                ["acc"] = Node(c.Acc),
                            }
                    )
                    .ToArray()
            ),
        };
        AtomicFile.WriteText(
            Path.Combine(root, JsonFile),
            json.ToJsonString(new JsonSerializerOptions { WriteIndented = true })
        );
        SweepFigure.Write(Path.Combine(root, FigureFile), Groups);
        ReverseFigure.Write(root, Groups);
        HeldOutFigure.Write(root, Curves);
    }

    static JsonObject Node(Summary s) =>
        new()
        {
            ["mean"] = s.Mean,
            ["std"] = s.Std,
            ["ci95"] = new JsonArray(s.CiLow, s.CiHigh),
        };

    static JsonObject Node(PairedComparison c) =>
        new()
        {
            ["pairs"] = c.Pairs,
            ["mean_diff"] = c.MeanDiff,
            ["ci95"] = double.IsInfinity(c.CiLow) ? null : new JsonArray(c.CiLow, c.CiHigh),
            ["p_sign_flip"] = c.PValue,
            ["a_better"] = c.AWins,
        };
}
