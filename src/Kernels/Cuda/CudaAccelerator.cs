using System.Text;

namespace Untapped.Kernels.Cuda;

/// <summary>
/// CUDA backend through the driver API: the catalogue is compiled by NVRTC to a cubin for the device's
/// architecture (PTX for the nearest virtual one as fallback, which the driver JIT-compiles), cached on disk,
/// loaded once; launches go to the primary context's default stream, in order.
/// </summary>
public sealed unsafe class CudaAccelerator : DeviceAccelerator
{
    readonly int _device;
    readonly nint _context, _module;
    readonly Dictionary<string, nint> _functions = new(StringComparer.Ordinal);

    public CudaAccelerator(int index = 0)
    {
        if (!CudaApi.Available) throw new DeviceException($"CUDA: {CudaApi.LoadError}");
        int count = CudaApi.DeviceCount();
        if (index < 0 || index >= count) throw new DeviceException($"CUDA: device index {index} is out of range (found {count})");
        int dev;
        CudaApi.Check(CudaApi.DeviceGet(&dev, index), "cuDeviceGet");
        _device = dev;
        var name = stackalloc byte[256];
        CudaApi.DeviceGetName(name, 256, dev);
        int major, minor;
        CudaApi.DeviceGetAttribute(&major, CudaApi.ATTR_CC_MAJOR, dev);
        CudaApi.DeviceGetAttribute(&minor, CudaApi.ATTR_CC_MINOR, dev);
        Name = $"{System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)name)} (sm_{major}{minor})";
        nint ctx;
        CudaApi.Check(CudaApi.PrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain");
        _context = ctx;
        CudaApi.Check(CudaApi.CtxSetCurrent(ctx), "cuCtxSetCurrent");
        var image = CompileCached(KernelSource.Program(), major * 10 + minor);
        nint module;
        fixed (byte* p = image) CudaApi.Check(CudaApi.ModuleLoadData(&module, p), "cuModuleLoadData");
        _module = module;
        foreach (var k in OpenCl.OpenClAccelerator.KernelNames(KernelSource.Program()))
        {
            nint f;
            var bytes = Encoding.ASCII.GetBytes(k + "\0");
            fixed (byte* b = bytes) CudaApi.Check(CudaApi.ModuleGetFunction(&f, module, b), $"cuModuleGetFunction('{k}')");
            _functions[k] = f;
        }
    }

    public override AcceleratorKind Kind => AcceleratorKind.Cuda;
    public override string Name { get; }

    static byte[] CompileCached(string source, int cc)
    {
        var (maj, min) = Nvrtc.Version;
        string key = "cuda-" + KernelSource.Hash(source, $"sm_{cc}", $"nvrtc {maj}.{min}");
        if (KernelCache.TryLoad(key) is { } cached) return cached;
        byte[] image;
        try { image = Nvrtc.Compile(source, "untapped.cu", $"sm_{cc}"); }
        catch (DeviceException)
        {
            // This NVRTC may not know the real architecture: PTX for the newest virtual one it knows.
            image = Nvrtc.Compile(source, "untapped.cu", cc >= 90 ? "compute_90" : "compute_80");
            image = [.. image, 0];
        }
        KernelCache.TryStore(key, image);
        return image;
    }

    void Current() => CudaApi.Check(CudaApi.CtxSetCurrent(_context), "cuCtxSetCurrent");

    public override DeviceBuffer Allocate(int length)
    {
        Current();
        ulong p;
        CudaApi.Check(CudaApi.MemAlloc(&p, (nuint)Math.Max(1, length) * 4), $"cuMemAlloc({length} floats)");
        return new CudaBuffer(this, length, p);
    }

    static ulong Ptr(View v) => ((CudaBuffer)v.Buffer!).Pointer + (ulong)v.Offset * 4;

    protected override void CopyFromHostCore(ReadOnlySpan<float> source, View destination)
    {
        if (source.IsEmpty) return;
        Current();
        fixed (float* p = source) CudaApi.Check(CudaApi.MemcpyHtoD(Ptr(destination), p, (nuint)source.Length * 4), "cuMemcpyHtoD");
    }

    protected override void CopyToHostCore(View source, Span<float> destination)
    {
        if (destination.IsEmpty) return;
        Current();
        fixed (float* p = destination) CudaApi.Check(CudaApi.MemcpyDtoH(p, Ptr(source), (nuint)destination.Length * 4), "cuMemcpyDtoH");
    }

    public override void Synchronize()
    {
        Current();
        CudaApi.Check(CudaApi.CtxSynchronize(), "cuCtxSynchronize");
    }

    protected override void Launch(string kernel, Dim3 global, Dim3 local, ReadOnlySpan<KernelArg> args)
    {
        if (!_functions.TryGetValue(kernel, out var f)) throw new DeviceException($"CUDA: kernel '{kernel}' is not in the module");
        // Each argument value lives in this 8-byte slot array; params[] points into it.
        int n = 0;
        foreach (var a in args) n += a.Kind == KernelArg.ArgKind.View ? 2 : 1;
        var slots = stackalloc ulong[n];
        var ptrs = stackalloc void*[n];
        int i = 0;
        foreach (var a in args)
        {
            switch (a.Kind)
            {
                case KernelArg.ArgKind.View:
                    slots[i] = ((CudaBuffer)a.View.Buffer!).Pointer; ptrs[i] = &slots[i]; i++;
                    *(int*)&slots[i] = a.View.Offset; ptrs[i] = &slots[i]; i++;
                    break;
                case KernelArg.ArgKind.Int: *(int*)&slots[i] = a.Int; ptrs[i] = &slots[i]; i++; break;
                case KernelArg.ArgKind.UInt: *(uint*)&slots[i] = a.UInt; ptrs[i] = &slots[i]; i++; break;
                default: *(float*)&slots[i] = a.Float; ptrs[i] = &slots[i]; i++; break;
            }
        }
        int r = CudaApi.LaunchKernel(f, (uint)(global.X / local.X), (uint)(global.Y / local.Y), (uint)(global.Z / local.Z),
            (uint)local.X, (uint)local.Y, (uint)local.Z, 0, 0, ptrs, null);
        if (r != 0) throw new DeviceException($"CUDA: launching kernel '{kernel}' (global {global}, local {local}) failed: {CudaApi.ErrorString(r)}");
    }

    public override void Dispose()
    {
        base.Dispose();
        if (_module != 0) CudaApi.ModuleUnload(_module);
        if (_context != 0) CudaApi.PrimaryCtxRelease(_device);
    }

    sealed class CudaBuffer(CudaAccelerator owner, int length, ulong pointer) : DeviceBuffer(owner, length)
    {
        public ulong Pointer { get; } = pointer;
        protected override void Release()
        {
            ((CudaAccelerator)Owner).Current();
            CudaApi.MemFree(Pointer);
        }
    }
}
