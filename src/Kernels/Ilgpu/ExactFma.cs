using System.Reflection;
using ILGPU.Backends.OpenCL;
using ILGPU.Backends.PTX;
using ILGPU.IR;
using ILGPU.IR.Intrinsics;
using ILGPU.IR.Values;

namespace Untapped.Kernels.Ilgpu;

/// <summary>
/// <see cref="Fn.Fma"/> as one correctly rounded instruction on ILGPU's device backends: `fma.rn.f32` in PTX and
/// OpenCL C's `fma()`, emitted straight into the kernel's registers by intrinsic code generators registered in every
/// context the project creates (<see cref="Register"/>). Written by hand because ILGPU 1.5.3 reaches no FMA from C#
/// (its MultiplyAdd IR node has no front-end method), and inline PTX (CudaAsm.Emit) returns its result through local
/// memory: a store and a load around every FMA of the GEMM. ILGPU's CPU accelerator runs the method itself
/// (MathF.FusedMultiplyAdd).
/// </summary>
public static class ExactFma
{
    const BindingFlags Static = BindingFlags.Public | BindingFlags.Static;

    /// <summary>Maps <see cref="Fn.Fma"/> to the code generators below for PTX and OpenCL.</summary>
    public static void Register(IntrinsicImplementationManager manager)
    {
        var fma = typeof(Fn).GetMethod(nameof(Fn.Fma), Static)!;
        manager.RegisterMethod(
            fma,
            new PTXIntrinsic(typeof(ExactFma).GetMethod(nameof(Ptx), Static)!, IntrinsicImplementationMode.GenerateCode)
        );
        manager.RegisterMethod(
            fma,
            new CLIntrinsic(
                typeof(ExactFma).GetMethod(nameof(OpenCl), Static)!,
                IntrinsicImplementationMode.GenerateCode
            )
        );
    }

    /// <summary>target = fma.rn.f32(a, b, c): one rounding, never rewritten by ptxas.</summary>
    public static void Ptx(PTXBackend backend, PTXCodeGenerator codeGenerator, Value value)
    {
        var call = (MethodCall)value;
        var a = codeGenerator.LoadPrimitive(call[0]);
        var b = codeGenerator.LoadPrimitive(call[1]);
        var c = codeGenerator.LoadPrimitive(call[2]);
        var target = codeGenerator.AllocateHardware(value);
        using var command = codeGenerator.BeginCommand("fma.rn.f32");
        command.AppendArgument(target);
        command.AppendArgument(a);
        command.AppendArgument(b);
        command.AppendArgument(c);
    }

    /// <summary>target = fma(a, b, c): OpenCL C's fma is correctly rounded by the specification.</summary>
    public static void OpenCl(CLBackend backend, CLCodeGenerator codeGenerator, Value value)
    {
        var call = (MethodCall)value;
        var a = codeGenerator.Load(call[0]);
        var b = codeGenerator.Load(call[1]);
        var c = codeGenerator.Load(call[2]);
        var target = codeGenerator.Allocate(value);
        using var statement = codeGenerator.BeginStatement(target);
        statement.AppendCommand("fma");
        statement.BeginArguments();
        statement.AppendArgument();
        statement.Append(a);
        statement.AppendArgument();
        statement.Append(b);
        statement.AppendArgument();
        statement.Append(c);
        statement.EndArguments();
    }
}
