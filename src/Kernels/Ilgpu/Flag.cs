namespace Untapped.Kernels.Ilgpu.Kernels;

/// <summary>
/// A bool that can cross into a kernel: ILGPU passes only blittable parameters, and bool is not blittable in .NET.
/// Converts implicitly both ways, so kernels read it as a bool.
/// </summary>
public readonly struct Flag
{
    readonly int _value;

    Flag(int value) => _value = value;

    public static implicit operator Flag(bool b) => new(b ? 1 : 0);

    public static implicit operator bool(Flag f) => f._value != 0;
}
