using System.Text;

namespace Untapped.Kernels.OpenCl;

/// <summary>
/// OpenCL backend: one context and in-order queue on one device; the whole catalogue is built once as a
/// single program (binary cached on disk) and every kernel object is created at start-up.
/// </summary>
public sealed unsafe class OpenClAccelerator : DeviceAccelerator
{
    readonly nint _context, _queue, _program, _device;
    readonly Dictionary<string, nint> _kernels = new(StringComparer.Ordinal);

    public OpenClAccelerator(int index = 0) : this(index, KernelSource.Program()) { }

    /// <summary>An accelerator over another program text (tests use it to check how build failures are reported).</summary>
    internal OpenClAccelerator(int index, string source)
    {
        if (!ClApi.Available) throw new DeviceException(ClApi.LoadError!);
        var devices = ClApi.Devices();
        if (devices.Count == 0) throw new DeviceException("OpenCL: no platform with a device is installed (for a CPU platform: apt-get install pocl-opencl-icd)");
        if (index < 0 || index >= devices.Count) throw new DeviceException($"OpenCL: device index {index} is out of range (found {devices.Count})");
        var (platform, device) = devices[index];
        _device = device;
        Name = $"{ClApi.DeviceString(device, ClApi.DEVICE_NAME)} [{ClApi.PlatformString(platform, ClApi.PLATFORM_NAME)}]";
        int err;
        nint d = device;
        _context = ClApi.CreateContext(null, 1, &d, 0, 0, &err);
        ClApi.Check(err, "clCreateContext");
        _queue = ClApi.CreateCommandQueue(_context, device, 0, &err);
        ClApi.Check(err, "clCreateCommandQueue");
        _program = Build(source, platform);
        foreach (var name in KernelNames(source))
        {
            var bytes = Encoding.ASCII.GetBytes(name + "\0");
            nint k;
            fixed (byte* p = bytes) k = ClApi.CreateKernel(_program, p, &err);
            ClApi.Check(err, $"clCreateKernel('{name}')");
            _kernels[name] = k;
        }
    }

    public override AcceleratorKind Kind => AcceleratorKind.OpenCl;
    public override string Name { get; }

    /// <summary>Names of the `KERNEL name(` entry points of a program text.</summary>
    internal static IEnumerable<string> KernelNames(string source) =>
        System.Text.RegularExpressions.Regex.Matches(source, @"^KERNEL\s+(\w+)\s*\(", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value);

    nint Build(string source, nint platform)
    {
        const string options = "-cl-std=CL1.2";
        string key = "cl-" + KernelSource.Hash(source, options, Name, ClApi.DeviceString(_device, ClApi.DRIVER_VERSION), ClApi.PlatformString(platform, 0x0901));
        int err;
        nint program = 0;
        nint dev = _device;
        if (KernelCache.TryLoad(key) is { } bin)
        {
            nuint len = (nuint)bin.Length;
            int status;
            fixed (byte* b = bin)
            {
                byte* bp = b;
                program = ClApi.CreateProgramWithBinary(_context, 1, &dev, &len, &bp, &status, &err);
            }
            if (err != 0 || status != 0 || BuildOnce(program, options) != 0)
            {
                if (program != 0) ClApi.ReleaseProgram(program);
                program = 0;
            }
            else return program;
        }
        var src = Encoding.UTF8.GetBytes(source);
        nuint slen = (nuint)src.Length;
        fixed (byte* s = src)
        {
            byte* sp = s;
            program = ClApi.CreateProgramWithSource(_context, 1, &sp, &slen, &err);
        }
        ClApi.Check(err, "clCreateProgramWithSource");
        int berr = BuildOnce(program, options);
        if (berr != 0)
            throw new DeviceException($"OpenCL: building the kernel program for {Name} failed with {ClApi.ErrorName(berr)}; build log:\n{BuildLog(program)}");
        if (ProgramBinary(program) is { } compiled) KernelCache.TryStore(key, compiled);
        return program;
    }

    int BuildOnce(nint program, string options)
    {
        nint dev = _device;
        var opts = Encoding.ASCII.GetBytes(options + "\0");
        fixed (byte* o = opts) return ClApi.BuildProgram(program, 1, &dev, o, 0, 0);
    }

    string BuildLog(nint program)
    {
        nuint size;
        if (ClApi.GetProgramBuildInfo(program, _device, ClApi.PROGRAM_BUILD_LOG, 0, null, &size) != 0 || size == 0) return "(no build log)";
        var buf = new byte[(int)size];
        fixed (byte* p = buf) ClApi.GetProgramBuildInfo(program, _device, ClApi.PROGRAM_BUILD_LOG, size, p, null);
        return Encoding.UTF8.GetString(buf).TrimEnd('\0');
    }

    static byte[]? ProgramBinary(nint program)
    {
        nuint size;
        if (ClApi.GetProgramInfo(program, ClApi.PROGRAM_BINARY_SIZES, (nuint)sizeof(nuint), &size, null) != 0 || size == 0) return null;
        var bin = new byte[(int)size];
        fixed (byte* b = bin)
        {
            byte* bp = b;
            if (ClApi.GetProgramInfo(program, ClApi.PROGRAM_BINARIES, (nuint)sizeof(nint), &bp, null) != 0) return null;
        }
        return bin;
    }

    public override DeviceBuffer Allocate(int length)
    {
        int err;
        nint mem = ClApi.CreateBuffer(_context, ClApi.MEM_READ_WRITE, (nuint)Math.Max(1, length) * 4, null, &err);
        ClApi.Check(err, $"clCreateBuffer({length} floats)");
        return new ClBuffer(this, length, mem);
    }

    static nint Mem(View v) => ((ClBuffer)v.Buffer!).Handle;

    protected override void CopyFromHostCore(ReadOnlySpan<float> source, View destination)
    {
        if (source.IsEmpty) return;
        fixed (float* p = source)
            ClApi.Check(ClApi.EnqueueWriteBuffer(_queue, Mem(destination), 1, (nuint)destination.Offset * 4, (nuint)source.Length * 4, p, 0, null, null), "clEnqueueWriteBuffer");
    }

    protected override void CopyToHostCore(View source, Span<float> destination)
    {
        if (destination.IsEmpty) return;
        fixed (float* p = destination)
            ClApi.Check(ClApi.EnqueueReadBuffer(_queue, Mem(source), 1, (nuint)source.Offset * 4, (nuint)destination.Length * 4, p, 0, null, null), "clEnqueueReadBuffer");
    }

    public override void Synchronize() => ClApi.Check(ClApi.Finish(_queue), "clFinish");

    protected override void Launch(string kernel, Dim3 global, Dim3 local, ReadOnlySpan<KernelArg> args)
    {
        if (!_kernels.TryGetValue(kernel, out var k)) throw new DeviceException($"OpenCL: kernel '{kernel}' is not in the program");
        uint idx = 0;
        foreach (var a in args)
        {
            int err;
            switch (a.Kind)
            {
                case KernelArg.ArgKind.View:
                    nint mem = Mem(a.View);
                    int off = a.View.Offset;
                    err = ClApi.SetKernelArg(k, idx++, (nuint)sizeof(nint), &mem);
                    if (err == 0) err = ClApi.SetKernelArg(k, idx++, 4, &off);
                    break;
                case KernelArg.ArgKind.Int: { int v = a.Int; err = ClApi.SetKernelArg(k, idx++, 4, &v); break; }
                case KernelArg.ArgKind.UInt: { uint v = a.UInt; err = ClApi.SetKernelArg(k, idx++, 4, &v); break; }
                default: { float v = a.Float; err = ClApi.SetKernelArg(k, idx++, 4, &v); break; }
            }
            if (err != 0) throw new DeviceException($"OpenCL: setting argument {idx - 1} of kernel '{kernel}' failed with {ClApi.ErrorName(err)} ({err})");
        }
        var g = stackalloc nuint[3] { (nuint)global.X, (nuint)global.Y, (nuint)global.Z };
        var l = stackalloc nuint[3] { (nuint)local.X, (nuint)local.Y, (nuint)local.Z };
        int e = ClApi.EnqueueNDRangeKernel(_queue, k, 3, null, g, l, 0, null, null);
        if (e != 0) throw new DeviceException($"OpenCL: launching kernel '{kernel}' (global {global}, local {local}) failed with {ClApi.ErrorName(e)} ({e})");
    }

    public override void Dispose()
    {
        base.Dispose();
        foreach (var k in _kernels.Values) ClApi.ReleaseKernel(k);
        _kernels.Clear();
        if (_program != 0) ClApi.ReleaseProgram(_program);
        if (_queue != 0) ClApi.ReleaseCommandQueue(_queue);
        if (_context != 0) ClApi.ReleaseContext(_context);
    }

    sealed class ClBuffer(OpenClAccelerator owner, int length, nint handle) : DeviceBuffer(owner, length)
    {
        public nint Handle { get; } = handle;
        protected override void Release() => ClApi.ReleaseMemObject(Handle);
    }
}
