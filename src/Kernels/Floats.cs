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
/// Read-only element access for a row function's input that is an elementwise function of an array: a device kernel
/// computes it as it reads (<see cref="Through{TOp, T}"/>: no buffer for it), the managed CPU computes it first for a
/// chunk of rows with the vectorised op (<see cref="Cpu.Precomputed"/>). The same op on one lane or a vector lane gives
/// the same bits, so both sides read the same values.
/// </summary>
public interface IFloatSource
{
    float this[int i] { get; }
}

/// <summary>The elements of <typeparamref name="T"/> through <typeparamref name="TOp"/>, one lane as each is read.</summary>
internal readonly struct Through<TOp, T>(T inner) : IFloatSource
    where TOp : struct, Cpu.IUnaryOp
    where T : struct, IFloats
{
    readonly T _inner = inner;

    public float this[int i] => TOp.Invoke(new Cpu.Lane(_inner[i])).V;
}

/// <summary>
/// Element j of the rows a row function written over a lane type works on: with <typeparamref name="TV"/> = <see
/// cref="Cpu.Lane"/> one row (a device thread's, <see cref="DeviceRow{T}"/>), with a vector type as many rows as it has
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

/// <summary>Elements [offset, offset + k) of <typeparamref name="T"/> as one row of <see cref="Cpu.Lane"/>s.</summary>
internal readonly struct DeviceRow<T>(T floats, int offset) : IRows<Cpu.Lane>, IRowSource<Cpu.Lane>
    where T : struct, IFloats
{
    readonly T _floats = floats;
    readonly int _offset = offset;

    public Cpu.Lane this[int j]
    {
        get => new(_floats[_offset + j]);
        set => _floats[_offset + j] = value.V;
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
