using System.Text.Json;
using Untapped.Checks;
using Untapped.Kernels;
using Untapped.Kernels.Cpu;
using Untapped.Training.Checks;
using Untapped.Training.Model;

namespace Untapped.Bench;

/// <summary>
/// The GPU check's correctness stages (bench/gpu/check.sh): every catalogue case against the one-thread managed CPU
/// reference, on the test suite's shapes (<see cref="KernelCases"/>, the tests' tolerances) and on the model's shapes
/// (<see cref="ModelCases"/>, batch 10,000); and five training steps of each model against the managed CPU
/// (<see cref="StepParity"/>, the criteria of the tests' BackendStepTests). Each prints a markdown table, writes the
/// same rows as JSON, and returns 0 only when every row passes.
/// </summary>
static class ParityBench
{
    sealed record Row(string Kernel, string Shapes, string Output, double MaxAbs, double MaxRel, float Atol, float Rtol, bool Pass, string? Problem);

    public static int Kernels(Backend acc, string shapes, string? json)
    {
        var rows = new List<Row>();
        Console.WriteLine($"| kernel on {acc.Name} | shapes | output | max abs err | max rel err | atol + rtol | pass |\n|---|---|---|---:|---:|---|---|");
        void Add(Row r)
        {
            rows.Add(r);
            Console.WriteLine($"| {r.Kernel} | {r.Shapes} | {r.Output} | {r.MaxAbs:G3} | {r.MaxRel:G3} | {r.Atol:G2} + {r.Rtol:G2} | {(r.Pass ? "yes" : "**NO** " + r.Problem)} |");
        }
        if (shapes is "test" or "both")
            foreach (var (c, o, r) in KernelCases.Parity(acc))
                Add(new(c.Name, "test", o, r.MaxAbs, r.MaxRel, c.Atol, c.Rtol, r.Pass, r.Problem));
        if (shapes is "model" or "both")
        {
            using var reference = new CpuBackend(1);
            foreach (var c in ModelCases.All())
            {
                var (r, bufs) = ModelCases.Check(c, acc, reference);
                foreach (var b in bufs) b.Dispose();
                Add(new(c.Name, "model", $"#{c.Output}", r.MaxAbs, r.MaxRel, c.Atol, c.Rtol, r.Pass, r.Problem));
            }
        }
        int failed = rows.Count(r => !r.Pass);
        Console.WriteLine($"\n{rows.Count - failed} of {rows.Count} outputs within tolerance on {acc.Name}");
        if (json is not null) File.WriteAllText(json, JsonSerializer.Serialize(new { device = acc.Name, rows, failed }, Json));
        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// One line per case output: SHA-256 of its bits on <paramref name="acc"/> from the case table's seeded data, for
    /// comparing code paths bit for bit (run it under DOTNET_EnableAVX512=0 or DOTNET_EnableAVX2=0 and diff the output).
    /// </summary>
    public static int Digest(Backend acc, string shapes)
    {
        static string Hash(float[] v) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan())))[..16];
        Console.WriteLine($"# bits of every case output on {acc.Name}");
        if (shapes is "test" or "both")
            foreach (var c in KernelCases.All())
                foreach (var (o, v) in KernelCases.Execute(c, acc))
                    Console.WriteLine($"{c.Name}.{o} {Hash(v)}");
        if (shapes is "model" or "both")
            foreach (var c in ModelCases.All())
            {
                var data = c.Data(new Random(5));
                var bufs = data.Select(d => acc.Upload(d)).ToArray();
                c.Run(acc, bufs.Select(b => b.View).ToArray());
                Console.WriteLine($"{c.Name.Replace(' ', '_')}.model {Hash(acc.ToArray(bufs[c.Output]))}");
                foreach (var b in bufs) b.Dispose();
            }
        return 0;
    }

    public static int Steps(Backend acc, int batch, string? json)
    {
        var reports = new List<object>();
        int failed = 0;
        Console.WriteLine($"| model / preset on {acc.Name} | batch | worst loss abs err over {StepParity.Steps} steps | parameters > {StepParity.FarApart} apart | max parameter diff | pass |\n|---|---:|---:|---:|---:|---|");
        foreach (var (preset, model) in new[] { (Preset.Paper, ModelKind.Untapped), (Preset.Original, ModelKind.Untapped), (Preset.Paper, ModelKind.M2), (Preset.Original, ModelKind.M2) })
        {
            var r = StepParity.Compare(acc, ModelConfig.For(preset, model), batch);
            if (!r.Pass) failed++;
            double lossErr = r.Losses.Max(l => l.MaxAbs);
            Console.WriteLine($"| {r.Model} / {preset.ToString().ToLowerInvariant()} | {batch} | {lossErr:G3} | {r.Far} of {r.Parameters} | {r.ParameterResult.MaxAbs:G3} | {(r.Pass ? "yes" : "**NO**")} |");
            reports.Add(new
            {
                model = r.Model,
                preset = preset.ToString().ToLowerInvariant(),
                batch,
                loss_max_abs = lossErr,
                far = r.Far,
                parameters = r.Parameters,
                parameter_max_abs = r.ParameterResult.MaxAbs,
                pass = r.Pass
            });
        }
        if (json is not null) File.WriteAllText(json, JsonSerializer.Serialize(new { device = acc.Name, steps = StepParity.Steps, reports, failed }, Json));
        return failed == 0 ? 0 : 1;
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
