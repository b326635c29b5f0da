namespace Untapped.Cli;

/// <summary>The sweep's list options as the user writes them: seeds, --vary axes, model and preset lists.</summary>
static class SweepText
{
    /// <summary>"1-10", "1,3,5" or "2-4,9": distinct seeds in the order given.</summary>
    public static IReadOnlyList<ulong> ParseSeeds(string text)
    {
        var seeds = new List<ulong>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (
                ends.Length is < 1 or > 2
                || !ends.All(e =>
                    ulong.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1
                )
            )
            {
                throw new UsageException(
                    $"--seeds '{text}': '{part}' is not a seed (a positive integer) or a range like 1-10"
                );
            }

            ulong a = ulong.Parse(ends[0], CultureInfo.InvariantCulture),
                b = ulong.Parse(ends[^1], CultureInfo.InvariantCulture);
            if (b < a || b - a > 100_000)
                throw new UsageException($"--seeds '{text}': range '{part}' is empty or too long");
            for (ulong s = a; s <= b; s++)
            {
                if (!seeds.Contains(s))
                    seeds.Add(s);
            }
        }
        if (seeds.Count == 0)
            throw new UsageException($"--seeds '{text}' names no seed");
        return seeds;
    }

    /// <summary>"x-tilde-grad=none,relaxed": one axis of variation.</summary>
    public static (string Switch, IReadOnlyList<string> Values) ParseVary(
        string text,
        IReadOnlyCollection<string> switches
    )
    {
        int eq = text.IndexOf('=');
        var name = eq < 0 ? text : text[..eq].Trim().TrimStart('-');
        var values =
            eq < 0
                ? []
                : text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!switches.Contains(name))
        {
            throw new UsageException(
                $"--vary '{text}': '{name}' is not a switch that can vary; valid: {string.Join(", ", switches)}"
            );
        }

        if (values.Length == 0)
            throw new UsageException($"--vary '{text}': give values, as in {name}=a,b");
        return (name, values.Distinct().ToArray());
    }

    /// <summary>A list option such as "m2,untapped" parsed into enum values.</summary>
    public static IReadOnlyList<T> ParseList<T>(string option, string text)
        where T : struct, Enum
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var r = new List<T>();
        foreach (var item in items)
        {
            if (!Enum.TryParse<T>(item, ignoreCase: true, out var v) || !Enum.IsDefined(v))
            {
                throw new UsageException(
                    $"{option} '{text}': '{item}' is not one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}"
                );
            }

            if (!r.Contains(v))
                r.Add(v);
        }
        if (r.Count == 0)
            throw new UsageException($"{option} names nothing");
        return r;
    }
}
