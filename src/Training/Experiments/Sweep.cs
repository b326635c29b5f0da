using System.Globalization;
using Untapped.Training.Model;
using Untapped.Training.Runs;

namespace Untapped.Training.Experiments;

/// <summary>
/// One trial of a sweep: a model, a preset, the varied switches (as given, for its name; <paramref name="Varied"/>
/// typed) and a seed. Its run directory is named by all four.
/// </summary>
public sealed record Trial(
    ModelKind Model,
    Preset Preset,
    IReadOnlyList<(string Switch, string Value)> Switches,
    ulong Seed,
    RunOverrides Varied
)
{
    /// <summary>
    /// "untapped-paper-seed3", "untapped-paper-x-tilde-grad-none-seed3": model, preset, each switch=value, seed.
    /// </summary>
    public string Name =>
        string.Join(
            "-",
            new[] { Model.ToString().ToLowerInvariant(), Preset.ToString().ToLowerInvariant() }
                .Concat(Switches.Select(s => $"{s.Switch}-{Sanitise(s.Value)}"))
                .Append($"seed{Seed.ToString(CultureInfo.InvariantCulture)}")
        );

    static string Sanitise(string v) =>
        new(v.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c == '.' ? c : '_').ToArray());

    /// <summary>
    /// This trial's run: the preset's configuration, the overrides every trial shares (<paramref name="shared"/>),
    /// then this trial's varied ones, in its own directory under <paramref name="sweepDir"/>; the backend and data
    /// folder from <paramref name="rest"/>. Validated.
    /// </summary>
    public RunOptions Options(RunOptions rest, RunOverrides shared, string sweepDir)
    {
        var o = shared
            .Then(Varied)
            .ApplyTo(rest with { Seed = Seed, OutDir = Path.GetFullPath(Path.Combine(sweepDir, Name)) }, Preset, Model);
        o.Validate();
        return o;
    }
}

/// <summary>
/// A sweep: the cross product of presets, switch variations (each axis one switch and its values, each value as
/// given and typed), seeds and models, in that nesting, so the two models of a seed run next to each other and a
/// partial sweep already holds complete pairs. The order is a pure function of the options, so every Slurm array
/// task computes the same trial list.
/// </summary>
public sealed record Sweep(
    IReadOnlyList<ModelKind> Models,
    IReadOnlyList<Preset> Presets,
    IReadOnlyList<ulong> Seeds,
    IReadOnlyList<(string Switch, IReadOnlyList<(string Text, RunOverrides Value)> Values)> Vary
)
{
    public IReadOnlyList<Trial> Trials()
    {
        IEnumerable<IReadOnlyList<(string Switch, string Text, RunOverrides Value)>> combos =
        [
            [],
        ];
        foreach (var (sw, values) in Vary)
        {
            combos = combos
                .SelectMany(c =>
                    values.Select(v => (IReadOnlyList<(string, string, RunOverrides)>)[.. c, (sw, v.Text, v.Value)])
                )
                .ToList();
        }

        return
        [
            .. from p in Presets
            from c in combos
            from s in Seeds
            from m in Models
            select new Trial(
                m,
                p,
                [.. c.Select(x => (x.Switch, x.Text))],
                s,
                c.Aggregate(RunOverrides.None, (a, x) => a.Then(x.Value))
            ),
        ];
    }
}
