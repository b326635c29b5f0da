using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Untapped.Checks;

/// <summary>
/// NVIDIA's ptxas run over the PTX that <see cref="Kernels.Ilgpu.Ptx"/> generates: the check that every device kernel
/// assembles for a real GPU, with its register, shared-memory and spill figures (tests and `bench ptx`).
/// </summary>
public static partial class Ptxas
{
    /// <summary>ptxas from $PTXAS, else from PATH; null when there is none.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("PTXAS") is { Length: > 0 } p)
            return File.Exists(p) ? p : null;
        foreach (
            var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(
                Path.PathSeparator,
                StringSplitOptions.RemoveEmptyEntries
            )
        )
        {
            if (File.Exists(Path.Combine(dir, "ptxas")))
                return Path.Combine(dir, "ptxas");
        }

        return null;
    }

    /// <summary>What ptxas -v reports for one kernel.</summary>
    public sealed record Resources(int Registers, int SharedBytes, int StackBytes, int SpillStores, int SpillLoads);

    /// <summary>
    /// Assembles <paramref name="ptx"/> with ptxas -v for <paramref name="arch"/> (sm_80, sm_90); throws with ptxas's
    /// output on failure.
    /// </summary>
    public static Resources Assemble(string ptxas, string ptx, string arch)
    {
        var dir = Directory.CreateTempSubdirectory("untapped-ptx-");
        try
        {
            var src = Path.Combine(dir.FullName, "kernel.ptx");
            File.WriteAllText(src, ptx);
            var psi = new ProcessStartInfo(ptxas) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { $"-arch={arch}", "-v", src, "-o", Path.Combine(dir.FullName, "kernel.cubin") })
                psi.ArgumentList.Add(a);
            using var proc = Process.Start(psi)!;
            var stderr = proc.StandardError.ReadToEndAsync();
            var stdout = proc.StandardOutput.ReadToEnd();
            proc.WaitForExit();
            var log = stdout + stderr.Result;
            if (proc.ExitCode != 0)
                throw new DeviceException($"ptxas -arch={arch} failed ({proc.ExitCode}):\n{log}");
            int Num(Regex r) =>
                r.Match(log) is { Success: true } m
                    ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
                    : 0;
            return new Resources(
                Num(RegistersRx()),
                Num(SharedRx()),
                Num(StackRx()),
                Num(SpillStoresRx()),
                Num(SpillLoadsRx())
            );
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>The architectures every kernel is assembled for: ILGPU's PTX for each, and ptxas's -arch.</summary>
    public static readonly (ILGPU.Runtime.Cuda.CudaArchitecture Arch, string Target)[] Targets =
    [
        (ILGPU.Runtime.Cuda.CudaArchitecture.SM_80, "sm_80"),
        (ILGPU.Runtime.Cuda.CudaArchitecture.SM_90, "sm_90"),
    ];

    /// <summary>The most shared memory a group may use: ILGPU 1.5.3 never raises CUDA's default 48 KB limit.</summary>
    public const int SharedLimitBytes = 48 * 1024;

    /// <summary>Every kernel's resources at every target, in <see cref="Targets"/> then catalogue order.</summary>
    public static IEnumerable<(string Kernel, string Target, Resources R)> All(string ptxas)
    {
        foreach (var (arch, target) in Targets)
        {
            foreach (var k in Kernels.Ilgpu.DeviceKernels.All)
            {
                yield return (
                    Kernels.Ilgpu.DeviceKernels.NameOf(k),
                    target,
                    Assemble(ptxas, Kernels.Ilgpu.Ptx.Compile(k, arch), target)
                );
            }
        }
    }

    /// <summary>The resource table as markdown lines (docs/kernels.md holds it; `bench ptx` prints it).</summary>
    public static IEnumerable<string> Table(IEnumerable<(string Kernel, string Target, Resources R)> rows)
    {
        yield return "| kernel | arch | registers | shared B | stack B | spill stores B | spill loads B |";
        yield return "|---|---|---:|---:|---:|---:|---:|";
        foreach (var (k, t, r) in rows)
            yield return $"| {k} | {t} | {r.Registers} | {r.SharedBytes} | {r.StackBytes} | {r.SpillStores} | {r.SpillLoads} |";
    }

    [GeneratedRegex(@"Used (\d+) registers")]
    private static partial Regex RegistersRx();

    [GeneratedRegex(@"(\d+) bytes smem")]
    private static partial Regex SharedRx();

    [GeneratedRegex(@"(\d+) bytes stack frame")]
    private static partial Regex StackRx();

    [GeneratedRegex(@"(\d+) bytes spill stores")]
    private static partial Regex SpillStoresRx();

    [GeneratedRegex(@"(\d+) bytes spill loads")]
    private static partial Regex SpillLoadsRx();
}
