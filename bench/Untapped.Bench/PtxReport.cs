using ILGPU.Runtime.Cuda;
using Untapped.Checks;
using Untapped.Kernels.Ilgpu;

namespace Untapped.Bench;

/// <summary>
/// Registers, shared memory, stack and spills of every device kernel as ptxas -v reports them, for sm_80 and sm_90,
/// from the PTX that ILGPU's backend generates (no GPU needed). A markdown table on stdout. With --dump DIR it writes
/// each kernel's PTX instead (the build that trains: ILGPU's context as the CUDA backend makes it, no assertions) as
/// DIR/&lt;Class.Method&gt;.ptx for --arch (sm_80, the default, or sm_90), and prints how many approximate (.approx)
/// and flush-to-zero (.ftz) instructions each holds: what a bitwise comparison with the CPU cannot survive.
/// </summary>
static class PtxReport
{
    public static int Run(string[] args)
    {
        int i = Array.IndexOf(args, "--dump");
        if (i >= 0)
        {
            if (i + 1 >= args.Length)
            {
                Console.Error.WriteLine("error: --dump needs a folder: bench ptx --dump DIR [--arch sm_80|sm_90]");
                return 2;
            }
            int a = Array.IndexOf(args, "--arch");
            string arch = a >= 0 && a + 1 < args.Length ? args[a + 1] : "sm_80";
            return Dump(args[i + 1], arch);
        }

        var ptxas = Ptxas.Find();
        if (ptxas is null)
        {
            Console.Error.WriteLine(
                "error: ptxas not found: set PTXAS or put it on PATH (.ci/run extracts it from Debian's nvidia-cuda-toolkit .deb)"
            );
            return 2;
        }
        foreach (var line in Ptxas.Table(Ptxas.All(ptxas)))
            Console.WriteLine(line);
        return 0;
    }

    static int Dump(string dir, string target)
    {
        var match = Ptxas.Targets.Where(t => t.Target == target).ToList();
        if (match.Count == 0)
        {
            Console.Error.WriteLine(
                $"error: --arch {target} is not one of {string.Join(", ", Ptxas.Targets.Select(t => t.Target))}"
            );
            return 2;
        }
        Directory.CreateDirectory(dir);
        Console.WriteLine("| kernel | .approx | .ftz |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var k in DeviceKernels.All)
        {
            string name = DeviceKernels.NameOf(k);
            string ptx = Ptx.Compile(k, match[0].Arch);
            File.WriteAllText(Path.Combine(dir, name + ".ptx"), ptx);
            int Count(string what) => ptx.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));
            Console.WriteLine($"| {name} | {Count(".approx")} | {Count(".ftz")} |");
        }
        Console.WriteLine($"wrote {DeviceKernels.All.Count} kernels' PTX ({target}) into {dir}");
        return 0;
    }
}
