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

/// <summary>
/// Element j of the rows a row function written over a lane type works on: with <typeparamref name="TV"/> = <see
/// cref="Cpu.Lane"/> one row (a device thread's, <see cref="DeviceRow"/>), with a vector type as many rows as it has
/// lanes, lane i holding row i's element j (the managed CPU's transposed blocks, <see cref="Cpu.RowBlock{TV}"/>). Each
/// lane does the scalar row's operations in its order, so every width gives a row the same bits.
/// </summary>
internal interface IRowSource<TV>
    where TV : struct, Cpu.ISimd<TV>
{
    TV this[int j] { get; }
}

/// <summary>An <see cref="IRowSource{TV}"/> that is also written (a row function's outputs and scratch).</summary>
internal interface IRows<TV>
    where TV : struct, Cpu.ISimd<TV>
{
    TV this[int j] { get; set; }
}

/// <summary>Elements [offset, offset + k) of an ILGPU view as one row of <see cref="Cpu.Lane"/>s.</summary>
internal readonly struct DeviceRow(ArrayView<float> view, int offset) : IRows<Cpu.Lane>, IRowSource<Cpu.Lane>
{
    readonly ArrayView<float> _view = view;
    readonly int _offset = offset;

    public Cpu.Lane this[int j]
    {
        get => new(_view[_offset + j]);
        set => _view[_offset + j] = value.V;
    }
}

/// <summary>
/// The elements of <typeparamref name="TS"/> through <typeparamref name="TOp"/>, applied as each is read: a row
/// function's input that is an elementwise function of an array needs no buffer of its own on either side.
/// </summary>
internal readonly struct RowThrough<TOp, TV, TS>(TS inner) : IRowSource<TV>
    where TOp : struct, Cpu.IUnaryOp
    where TV : struct, Cpu.ISimd<TV>
    where TS : struct, IRowSource<TV>
{
    readonly TS _inner = inner;

    public TV this[int j] => TOp.Invoke(_inner[j]);
}
