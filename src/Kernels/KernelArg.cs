namespace Untapped.Kernels;

/// <summary>Work sizes of a launch, in work-items (OpenCL's global/local; CUDA's grid*block/block).</summary>
public readonly record struct Dim3(int X, int Y = 1, int Z = 1);

/// <summary>One kernel argument: a view (passed as base pointer + int element offset), an int, a uint or a float.</summary>
public readonly struct KernelArg
{
    public enum ArgKind : byte { View, Int, UInt, Float }

    public ArgKind Kind { get; }
    public View View { get; }
    public int Int { get; }
    public uint UInt { get; }
    public float Float { get; }

    KernelArg(ArgKind kind, View view = default, int i = 0, uint u = 0, float f = 0)
    {
        Kind = kind; View = view; Int = i; UInt = u; Float = f;
    }

    public static implicit operator KernelArg(View v) => new(ArgKind.View, view: v);
    public static implicit operator KernelArg(DeviceBuffer b) => new(ArgKind.View, view: b.View);
    public static implicit operator KernelArg(int i) => new(ArgKind.Int, i: i);
    public static implicit operator KernelArg(bool b) => new(ArgKind.Int, i: b ? 1 : 0);
    public static implicit operator KernelArg(uint u) => new(ArgKind.UInt, u: u);
    public static implicit operator KernelArg(float f) => new(ArgKind.Float, f: f);
}

/// <summary>A failure reported by a device backend: names the kernel (when there is one) and carries the backend's own message.</summary>
public sealed class DeviceException(string message, Exception? inner = null) : Exception(message, inner);
