using System.Reflection;

namespace Untapped.Kernels.Ilgpu;

/// <summary>
/// The registry every ILGPU backend compiles from (and the PTX check reads): each device kernel, found by reflection as
/// a public static void method of a Device* class in namespace Untapped.Kernels.Ilgpu.Kernels (the Device*.cs file of
/// its family's folder, Ops/&lt;Family&gt;/), so a new kernel needs no line anywhere else.
/// </summary>
public static class DeviceKernels
{
    /// <summary>Every device kernel, by class then name.</summary>
    public static IReadOnlyList<MethodInfo> All { get; } =
        typeof(DeviceKernels)
            .Assembly.GetTypes()
            .Where(t =>
                t.Namespace == "Untapped.Kernels.Ilgpu.Kernels" && t.Name.StartsWith("Device", StringComparison.Ordinal)
            )
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.ReturnType == typeof(void))
            .OrderBy(m => m.DeclaringType!.Name, StringComparer.Ordinal)
            .ThenBy(m => m.Name, StringComparer.Ordinal)
            .ToArray();

    /// <summary>
    /// Whether the kernel takes an index first (ILGPU picks its group size) rather than an explicit KernelConfig.
    /// </summary>
    public static bool IsImplicitlyGrouped(MethodInfo kernel) =>
        kernel.GetParameters().FirstOrDefault()?.ParameterType is { } first && typeof(IIndex).IsAssignableFrom(first);

    /// <summary>The kernel's name as "Class.Method".</summary>
    public static string NameOf(MethodInfo kernel) => $"{kernel.DeclaringType!.Name}.{kernel.Name}";
}
