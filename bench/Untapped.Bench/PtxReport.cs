using ILGPU.Runtime.Cuda;
using Untapped.Checks;
using Untapped.Kernels.Ilgpu;

namespace Untapped.Bench;

/// <summary>
/// Registers, shared memory, stack and spills of every device kernel as ptxas -v reports them, for sm_80 and sm_90,
/// from the PTX that ILGPU's backend generates (no GPU needed). A markdown table on stdout.
/// </summary>
static class PtxReport
{
    public static int Run()
    {
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
}
