namespace Untapped.Kernels;

/// <summary>A float32 allocation owned by one accelerator. Dispose releases the device memory.</summary>
public abstract class BackendBuffer : IDisposable
{
    protected BackendBuffer(Backend owner, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Owner = owner;
        Length = length;
    }

    public Backend Owner { get; }
    public int Length { get; }
    public bool IsDisposed { get; private set; }

    public View View => new(this, 0, Length);

    public static implicit operator View(BackendBuffer b) => b.View;

    public void Dispose()
    {
        if (IsDisposed)
            return;
        IsDisposed = true;
        Release();
        GC.SuppressFinalize(this);
    }

    protected abstract void Release();
}

/// <summary>
/// A contiguous range [Offset, Offset+Length) of a buffer. Kernels take views so that parameters,
/// gradients and activations can live in flat arenas; a default view is "absent".
/// </summary>
public readonly record struct View(BackendBuffer? Buffer, int Offset, int Length)
{
    public bool IsEmpty => Buffer is null;

    public View Slice(int offset, int length)
    {
        if (offset < 0 || length < 0 || offset + length > Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(offset),
                $"slice [{offset}, {offset + length}) is outside a view of {Length} elements"
            );
        }

        return new View(Buffer, Offset + offset, length);
    }

    internal BackendBuffer Required(string name)
    {
        if (Buffer is null)
            throw new ArgumentException($"buffer '{name}' is required", name);
        if (Buffer.IsDisposed)
            throw new ObjectDisposedException(name, $"buffer '{name}' was disposed");
        return Buffer;
    }
}
