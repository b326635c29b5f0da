using System.Globalization;
using Untapped.Training.Model;

namespace Untapped.Training.Experiments;

/// <summary>One trial of a sweep: a model, a preset, switch overrides and a seed. Its run directory is named by all four.</summary>
public sealed record Trial(ModelKind Model, Preset Preset, IReadOnlyList<(string Switch, string Value)> Switches, ulong Seed)
{
    /// <summary>"untapped-paper-seed3", "untapped-paper-x-tilde-grad-none-seed3": model, preset, each switch=value, seed.</summary>
    public string Name => string.Join("-", new[] { Model.ToString().ToLowerInvariant(), Preset.ToString().ToLowerInvariant() }
        .Concat(Switches.Select(s => $"{s.Switch}-{Sanitise(s.Value)}")).Append($"seed{Seed.ToString(CultureInfo.InvariantCulture)}"));

    static string Sanitise(string v) => new(v.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c == '.' ? c : '_').ToArray());

    /// <summary>The `untapped train` options that select this trial (the sweep's shared options come on top).</summary>
    public IEnumerable<string> TrainTokens()
    {
        yield return "--model"; yield return Model.ToString().ToLowerInvariant();
        yield return "--preset"; yield return Preset.ToString().ToLowerInvariant();
        yield return "--seed"; yield return Seed.ToString(CultureInfo.InvariantCulture);
        foreach (var (sw, v) in Switches) { yield return "--" + sw; yield return v; }
    }
}

/// <summary>
/// A sweep: the cross product of presets, switch variations (each --vary is one axis), seeds and models, in that
/// nesting, so the two models of a seed run next to each other and a partial sweep already holds complete pairs.
/// The order is a pure function of the options, so every Slurm array task computes the same trial list.
/// </summary>
public sealed record Sweep(IReadOnlyList<ModelKind> Models, IReadOnlyList<Preset> Presets, IReadOnlyList<ulong> Seeds,
    IReadOnlyList<(string Switch, IReadOnlyList<string> Values)> Vary)
{
    public IReadOnlyList<Trial> Trials()
    {
        IEnumerable<IReadOnlyList<(string, string)>> combos = [[]];
        foreach (var (sw, values) in Vary)
            combos = combos.SelectMany(c => values.Select(v => (IReadOnlyList<(string, string)>)[.. c, (sw, v)])).ToList();
        return [.. from p in Presets from c in combos from s in Seeds from m in Models select new Trial(m, p, c, s)];
    }

    /// <summary>"1-10", "1,3,5" or "2-4,9": distinct seeds in the order given.</summary>
    public static IReadOnlyList<ulong> ParseSeeds(string text)
    {
        var seeds = new List<ulong>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length is < 1 or > 2 || !ends.All(e => ulong.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1))
                throw new UsageException($"--seeds '{text}': '{part}' is not a seed (a positive integer) or a range like 1-10");
            ulong a = ulong.Parse(ends[0], CultureInfo.InvariantCulture), b = ulong.Parse(ends[^1], CultureInfo.InvariantCulture);
            if (b < a || b - a > 100_000) throw new UsageException($"--seeds '{text}': range '{part}' is empty or too long");
            for (ulong s = a; s <= b; s++) if (!seeds.Contains(s)) seeds.Add(s);
        }
        if (seeds.Count == 0) throw new UsageException($"--seeds '{text}' names no seed");
        return seeds;
    }

    /// <summary>"x-tilde-grad=none,relaxed": one axis of variation.</summary>
    public static (string Switch, IReadOnlyList<string> Values) ParseVary(string text, IReadOnlyCollection<string> switches)
    {
        int eq = text.IndexOf('=');
        var name = eq < 0 ? text : text[..eq].Trim().TrimStart('-');
        var values = eq < 0 ? [] : text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!switches.Contains(name))
            throw new UsageException($"--vary '{text}': '{name}' is not a switch that can vary; valid: {string.Join(", ", switches)}");
        if (values.Length == 0) throw new UsageException($"--vary '{text}': give values, as in {name}=a,b");
        return (name, values.Distinct().ToArray());
    }

    /// <summary>A list option such as "m2,untapped" parsed into enum values.</summary>
    public static IReadOnlyList<T> ParseList<T>(string option, string text) where T : struct, Enum
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var r = new List<T>();
        foreach (var item in items)
        {
            if (!Enum.TryParse<T>(item, ignoreCase: true, out var v) || !Enum.IsDefined(v))
                throw new UsageException($"{option} '{text}': '{item}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");
            if (!r.Contains(v)) r.Add(v);
        }
        if (r.Count == 0) throw new UsageException($"{option} names nothing");
        return r;
    }
}
