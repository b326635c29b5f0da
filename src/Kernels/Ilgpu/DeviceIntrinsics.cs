using ILGPU.IR.Intrinsics;

namespace Untapped.Kernels.Ilgpu;

/// <summary>
/// Every intrinsic the project registers, in every ILGPU context it makes (IlgpuDevices.CreateContext, Ptx's):
/// <see cref="ExactFma"/> and <see cref="DeviceMaths"/>.
/// </summary>
public static class DeviceIntrinsics
{
    /// <summary>Registers them all with one context's intrinsic manager.</summary>
    public static void Register(IntrinsicImplementationManager manager)
    {
        ExactFma.Register(manager);
        DeviceMaths.Register(manager);
    }
}
