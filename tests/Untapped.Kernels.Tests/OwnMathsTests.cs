using System.Reflection;
using Xunit;

namespace Untapped.Kernels.Tests;

/// <summary>
/// No method of the kernel layer calls a .NET transcendental (System.Math or MathF's exp, log, pow, trig and
/// hyperbolic functions): they are the C library's on the CPU, ex2/lg2/sin/cos/tanh.approx under ILGPU's PTX backend,
/// and OpenCL's own elsewhere, so no two backends (or OSes) would agree. Every call instruction of every method body in
/// Untapped.Kernels is read and its target resolved; IEEE-exact ones (sqrt, floor, min, max, abs, FusedMultiplyAdd,
/// copysign) are allowed.
/// </summary>
public sealed class OwnMathsTests
{
    static readonly HashSet<string> Transcendental =
    [
        "Exp",
        "Exp2",
        "Exp10",
        "Log",
        "Log2",
        "Log10",
        "LogP1",
        "ILogB",
        "Pow",
        "Cbrt",
        "Sin",
        "Cos",
        "Tan",
        "SinCos",
        "Asin",
        "Acos",
        "Atan",
        "Atan2",
        "Sinh",
        "Cosh",
        "Tanh",
        "Asinh",
        "Acosh",
        "Atanh",
        "ScaleB",
        "IEEERemainder",
    ];

    [Fact]
    public void NoKernelLayerMethodCallsADotNetTranscendental()
    {
        var offenders = new List<string>();
        int calls = 0;
        foreach (var (type, method) in Methods(typeof(Fn).Assembly))
        {
            var il = method.GetMethodBody()?.GetILAsByteArray();
            if (il is null)
                continue;
            foreach (var target in CallTargets(method, il))
            {
                calls++;
                if (
                    (target.DeclaringType == typeof(Math) || target.DeclaringType == typeof(MathF))
                    && Transcendental.Contains(target.Name)
                )
                {
                    offenders.Add($"{type.FullName}.{method.Name} calls {target.DeclaringType.Name}.{target.Name}");
                }
            }
        }
        Assert.True(calls > 1000, $"only {calls} call instructions read: the IL scan is broken");
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    // A guard that the scan sees what it looks for: this method's own MathF.Exp call.
    [Fact]
    public void TheScanFindsACallToMathFExp()
    {
        var self = typeof(OwnMathsTests).GetMethod(nameof(CallsExp), BindingFlags.NonPublic | BindingFlags.Static)!;
        var targets = CallTargets(self, self.GetMethodBody()!.GetILAsByteArray()!).ToList();
        Assert.Contains(targets, t => t.DeclaringType == typeof(MathF) && t.Name == "Exp");
    }

    static float CallsExp(float x) => MathF.Exp(x);

    // Every method and constructor declared by a type of the assembly (the types that load, where some do not).
    internal static IEnumerable<(Type Type, MethodBase Method)> Methods(Assembly assembly)
    {
        const BindingFlags all =
            BindingFlags.Public
            | BindingFlags.NonPublic
            | BindingFlags.Static
            | BindingFlags.Instance
            | BindingFlags.DeclaredOnly;
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = [.. e.Types.OfType<Type>()];
        }
        foreach (var type in types)
        {
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
                yield return (type, method);
        }
    }

    // The targets of call, callvirt and newobj (opcodes 0x28, 0x6F, 0x73 followed by a method token). Bytes are read as
    // opcodes only where they can be one: a token that does not resolve to a method is skipped.
    internal static IEnumerable<MethodBase> CallTargets(MethodBase method, byte[] il)
    {
        for (int i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is not (0x28 or 0x6F or 0x73))
                continue;
            int token = BitConverter.ToInt32(il, i + 1);
            if ((token >> 24) is not (0x06 or 0x0A or 0x2B))
                continue;
            MethodBase? target = null;
            try
            {
                target = method.Module.ResolveMethod(
                    token,
                    method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null,
                    method.IsGenericMethod ? method.GetGenericArguments() : null
                );
            }
            catch (Exception e) when (e is ArgumentException or BadImageFormatException)
            {
                // not a call token
            }
            if (target is not null)
                yield return target;
        }
    }
}
