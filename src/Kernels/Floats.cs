namespace Untapped.Kernels;

/// <summary>
/// Element access for code written once and run on both sides, as <see cref="Fn"/> is for scalars: a row function
/// generic over <c>T : struct, IFloats</c> is compiled by ILGPU for the device kernel, which passes its views as <see
/// cref="DeviceFloats"/>, and run by the managed CPU, which passes its arrays as <c>Cpu.Mem</c>. A struct type
/// argument means no interface dispatch on either side: ILGPU specialises the call, the JIT inlines it.
/// </summary>
public interface IFloats
{
    ref float this[int i] { get; }
}

/// <summary>An ILGPU view as <see cref="IFloats"/> (what a device kernel hands a row function).</summary>
public readonly struct DeviceFloats(ArrayView<float> view) : IFloats
{
    readonly ArrayView<float> _view = view;

    public ref float this[int i] => ref _view[i];
}
