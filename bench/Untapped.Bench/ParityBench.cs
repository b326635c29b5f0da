using System.Text.Json;
using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Gate;
using Untapped.Training.Model;

namespace Untapped.Bench;

/// <summary>
/// The GPU check's correctness stages (bench/gpu/check.sh): every catalogue case against the one-thread managed CPU
/// reference, on the test suite's shapes (<see cref="CaseSize.Test"/>, the tests' tolerances) and on the model's shapes
/// (<see cref="CaseSize.Model"/>, batch 10,000); and five training steps of each model against the managed CPU
/// (<see cref="StepParity"/>, the criteria of the tests' BackendStepTests). Each prints a markdown table, writes the
/// same rows as JSON, and returns 0 only when every row passes.
/// </summary>
static class ParityBench
{
    sealed record Row(
        string Kernel,
        string Shapes,
        string Output,
        double MaxAbs,
        double MaxRel,
        bool Pass,
        string? Problem
    );

    /// <summary>The case sizes `--shapes` names: test, model or both.</summary>
    static CaseSize[] Sizes(string shapes) =>
        shapes switch
        {
            "test" => [CaseSize.Test],
            "model" => [CaseSize.Model],
            "both" => [CaseSize.Test, CaseSize.Model],
            _ => throw new ArgumentException($"--shapes must be test, model or both, not '{shapes}'"),
        };

    public static int Kernels(Backend acc, string shapes, string? json)
    {
        var rows = new List<Row>();
        Console.WriteLine(
            $"| kernel on {acc.Name} | shapes | output | max abs diff | max rel diff | same bits |\n|---|---|---|---:|---:|---|"
        );
        void Add(Row r)
        {
            rows.Add(r);
            Console.WriteLine(
                $"| {r.Kernel} | {r.Shapes} | {r.Output} | {r.MaxAbs:G3} | {r.MaxRel:G3} | {(r.Pass ? "yes" : "**NO** " + r.Problem)} |"
            );
        }
        foreach (var size in Sizes(shapes))
        {
            foreach (var (c, o, r) in OpCases.Parity(acc, size))
                Add(new(c.Name, size.Name, o, r.MaxAbs, r.MaxRel, r.Pass, r.Problem));
        }

        int failed = rows.Count(r => !r.Pass);
        Console.WriteLine($"\n{rows.Count - failed} of {rows.Count} outputs with the CPU's bits on {acc.Name}");
        if (json is not null)
        {
            File.WriteAllText(
                json,
                JsonSerializer.Serialize(
                    new
                    {
                        device = acc.Name,
                        rows,
                        failed,
                    },
                    Json
                )
            );
        }

        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// One line per case output: SHA-256 of its bits on <paramref name="acc"/> from the case table's seeded data, for
    /// comparing code paths bit for bit (run it under DOTNET_EnableAVX512=0 or DOTNET_EnableAVX2=0 and diff the
    /// output).
    /// </summary>
    public static int Digest(Backend acc, string shapes)
    {
        static string Hash(float[] v) =>
            Convert.ToHexStringLower(
                System.Security.Cryptography.SHA256.HashData(
                    System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan())
                )
            )[..16];
        Console.WriteLine($"# bits of every case output on {acc.Name}");
        foreach (var size in Sizes(shapes))
        {
            foreach (var c in OpCases.At(size))
            {
                foreach (var (o, v) in OpCases.Execute(c, acc))
                    Console.WriteLine($"{c.Name.Replace(' ', '_')}.{o}.{size} {Hash(v)}");
            }
        }

        return 0;
    }

    public static int Steps(Backend acc, int batch, string? json)
    {
        var reports = new List<object>();
        int failed = 0;
        Console.WriteLine(
            $"| model / preset on {acc.Name} | batch | parameters | {StepParity.Steps} steps: losses, parameters and Adam moments |\n|---|---:|---:|---|"
        );
        foreach (
            var (preset, model) in new[]
            {
                (Preset.Paper, ModelKind.Untapped),
                (Preset.Original, ModelKind.Untapped),
                (Preset.Paper, ModelKind.M2),
                (Preset.Original, ModelKind.M2),
            }
        )
        {
            var r = StepParity.Compare(acc, ModelConfig.For(preset, model), batch);
            if (!r.Pass)
                failed++;
            Console.WriteLine(
                $"| {r.Model} / {preset.ToString().ToLowerInvariant()} | {batch} | {r.Parameters} | {(r.Pass ? "the same bits" : "**differ**: " + r.Difference)} |"
            );
            reports.Add(
                new
                {
                    model = r.Model,
                    preset = preset.ToString().ToLowerInvariant(),
                    batch,
                    parameters = r.Parameters,
                    same_bits = r.Pass,
                    difference = r.Difference,
                }
            );
        }
        if (json is not null)
        {
            File.WriteAllText(
                json,
                JsonSerializer.Serialize(
                    new
                    {
                        device = acc.Name,
                        steps = StepParity.Steps,
                        reports,
                        failed,
                    },
                    Json
                )
            );
        }

        return failed == 0 ? 0 : 1;
    }

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
