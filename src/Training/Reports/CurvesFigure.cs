using ScottPlot;
using SkiaSharp;
using Untapped.Training.Storage;

namespace Untapped.Training.Reports;

/// <summary>
/// curves.png: metrics.jsonl against the epoch in a few panels a person reads at a glance, each a group of terms on one
/// scale: the total; the ELBO terms; the classifier's term; the reverse ELBO's parts; the decoder's saturation; any
/// other term alone; and, when the run logged them (<c>--eval-every</c>), the held-out cross-entropy with q(y|x)'s
/// entropy (ln 10 marked: a uniform guess) and the held-out accuracy with the share of distinct digits. A panel whose
/// values are all positive and span more than a decade is drawn on a log scale. Epoch ticks are whole numbers.
/// </summary>
public static class CurvesFigure
{
    const int Width = 900,
        PanelHeight = 230;

    // The panel of each known term; a term not named here goes to "other terms".
    static readonly (string Title, string[] Terms)[] Groups =
    [
        ("total loss", ["total"]),
        ("ELBO terms (nats)", ["labelled_elbo", "unlabelled_elbo", "reverse_elbo"]),
        ("classifier term", ["classify"]),
        ("reverse ELBO's parts (nats, logged)", ["reverse.log_p_x", "reverse.log_q_y", "reverse.log_q_z"]),
        (
            "decoder saturation: share of pixel means within 1e-3 of 0 or 1 at the unfeatured pairs",
            [EpochMetrics.DecoderSaturationKey]
        ),
    ];

    public static void Write(string path, IReadOnlyList<EpochMetrics> epochs, string title)
    {
        var terms = epochs.Count == 0 ? [] : epochs[0].Losses.Keys.ToList();
        var x = epochs.Select(e => (double)e.Epoch).ToArray();
        var panels = new List<(string Title, List<(string Name, double[] X, double[] Y)> Series, double? Mark)>();
        foreach (var (t, names) in Groups)
        {
            if (names.Where(terms.Contains).ToList() is { Count: > 0 } present)
                panels.Add((t, [.. present.Select(n => (n, x, Values(epochs, n)))], null));
        }

        foreach (var other in terms.Where(t => !Groups.Any(g => g.Terms.Contains(t))))
            panels.Add((other, [(other, x, Values(epochs, other))], null));
        var ev = epochs.Where(e => e.HeldOut is not null).ToList();
        if (ev.Count > 0)
        {
            var ex = ev.Select(e => (double)e.Epoch).ToArray();
            panels.Add(
                (
                    "held-out (digits 5-9), nats; dashed: ln 10, a uniform guess",
                    [
                        ("cross-entropy", ex, [.. ev.Select(e => e.HeldOut!.Ce)]),
                        ("entropy of q(y|x)", ex, [.. ev.Select(e => e.HeldOut!.Entropy)]),
                    ],
                    Math.Log(10)
                )
            );
            panels.Add(
                (
                    "held-out accuracy and distinct digits / 10",
                    [
                        ("accuracy", ex, [.. ev.Select(e => e.HeldOut!.Accuracy)]),
                        ("distinct digits / 10", ex, [.. ev.Select(e => e.HeldOut!.DistinctDigits / 10.0)]),
                    ],
                    null
                )
            );
        }

        // ScottPlot 5.1.59's Grid layout throws for any shape here; one panel per row is what works.
        var multi = new Multiplot { Layout = new ScottPlot.MultiplotLayouts.Rows() };
        while (multi.Subplots.Count > 0)
            multi.Subplots.RemoveAt(0); // it starts with one empty plot of its own
        if (panels.Count == 0)
        {
            var empty = new Plot();
            empty.Title($"{title}: no epochs recorded");
            multi.Subplots.Add(empty);
        }
        for (int i = 0; i < panels.Count; i++)
        {
            var (name, series, mark) = panels[i];
            var plot = new Plot();
            bool log =
                series.SelectMany(s => s.Y).Where(double.IsFinite).ToList() is { Count: > 0 } all
                && all.Min() > 0
                && all.Max() / all.Min() > 10;
            foreach (var (label, sx, sy) in series)
            {
                var line = plot.Add.Scatter(sx, log ? [.. sy.Select(Math.Log10)] : sy);
                line.MarkerSize = sx.Length > 30 ? 0 : 4;
                line.LegendText = label;
            }
            if (mark is { } m)
            {
                var h = plot.Add.HorizontalLine(log ? Math.Log10(m) : m);
                h.LinePattern = LinePattern.Dashed;
                h.Color = Colors.Gray;
            }
            if (log)
            {
                plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
                {
                    LabelFormatter = v =>
                        Math.Pow(10, v).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
                };
            }

            plot.Title(
                i == 0 ? $"{title}: {name}{(log ? " (log scale)" : "")}" : $"{name}{(log ? " (log scale)" : "")}"
            );
            if (series.Count > 1)
                plot.ShowLegend(Edge.Right);
            else
                plot.HideLegend();
            if (i == panels.Count - 1)
                plot.XLabel("epoch");
            // Epochs are whole numbers: without this ScottPlot labels a short run 0.9, 1.1, ... 2.9.
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            multi.Subplots.Add(plot);
        }
        AtomicFile.Write(path, Png(multi, Width, Math.Max(1, panels.Count) * PanelHeight));
    }

    static double[] Values(IReadOnlyList<EpochMetrics> epochs, string term) =>
        [.. epochs.Select(e => e.Losses.GetValueOrDefault(term, double.NaN))];

    /// <summary>A multiplot rendered to PNG bytes (ScottPlot 5.1's Multiplot has no image export of its own).</summary>
    internal static byte[] Png(Multiplot multi, int w, int h)
    {
        using var surface = SKSurface.Create(new SKImageInfo(w, h));
        surface.Canvas.Clear(SKColors.White);
        multi.Render(surface.Canvas, new PixelRect(0, w, h, 0));
        using var png = surface.Snapshot().Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
