namespace Untapped.Cli;

// `untapped devices`: what ILGPU sees and refuses; --check runs the self-check on one backend.
static partial class Commands
{
    static Command Devices()
    {
        var check = Opt(
            "--check",
            "Run the self-check on --backend: every catalogue kernel against the managed CPU (assertions on; ILGPU's CPU accelerator with CUDA's geometry), then one training step, bit for bit; prints kernel, output, max abs and rel difference, same bits. Exit 0 when all are the same, 1 otherwise",
            false,
            true
        );
        var cmd = new Command(
            "devices",
            "List the compute devices ILGPU sees (CUDA, OpenCL, its CPU accelerator), the managed CPU backend, and every device ILGPU refused, with the reason; --check runs the self-check on one.\n\n"
                + "Examples:\n  untapped devices\n  untapped devices --check --backend ilgpu-cpu"
        )
        {
            check,
            Backend,
            Threads,
        };
        cmd.SetAction(p =>
        {
            if (p.GetValue(check))
                return CheckDevice(p.GetValue(Backend)!, p.GetValue(Threads));
            var t = new Table().AddColumns("backend", "index", "device", "details");
            foreach (var d in Backends.Devices())
            {
                t.AddRow(
                    BackendNames.Name(d.Kind),
                    d.Index.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(d.Name),
                    Markup.Escape(d.Detail)
                );
            }

            AnsiConsole.Write(t);
            foreach (var d in Backends.RefusedDevices())
                Console.WriteLine($"refused: {d.Name} ({d.Detail}): {d.RefusedBecause}");
            foreach (var k in new[] { BackendKind.Cuda, BackendKind.OpenCl })
            {
                if (Backends.Unavailable(k) is { } why)
                    Console.WriteLine($"{BackendNames.Name(k)}: {why}");
            }

            return ExitCode.Ok;
        });
        return cmd;
    }

    // `devices --check`: the self-check the GPU gate runs, on any backend, as a table.
    static int CheckDevice(string backend, int threads)
    {
        var (kind, index) = BackendNames.IsAuto(backend) ? Backends.Best() : (BackendNames.Parse(backend), 0);
        if (Backends.Unavailable(kind) is { } why)
            throw new BackendUnavailableException($"{BackendNames.Name(kind)} backend is not available: {why}");
        using Backend acc =
            kind == BackendKind.Cpu
                ? new Kernels.Cpu.CpuBackend(threads)
                : new Kernels.Ilgpu.IlgpuBackend(
                    kind,
                    index,
                    new Kernels.Ilgpu.IlgpuSettings(
                        Assertions: kind == BackendKind.IlgpuCpu,
                        CudaGeometry: kind == BackendKind.IlgpuCpu
                    )
                );
        Console.WriteLine($"self-check of {acc.Name} against the managed CPU (one thread)");
        var r = ConsoleObserver.Run("self-check", obs =>
            SelfCheck.Run(acc, OpCases.At(CaseSize.Test), StepParity.OneStep, progress: name => obs.Phase(name))
        );
        // csharpier-ignore - alignment specifiers: CSharpier spaces them, dotnet format does not
        Console.WriteLine($"{"kernel",-44} {"output",-8} {"max abs diff",12} {"max rel diff",12} {"criterion",-18} same");
        foreach (var row in r.Rows)
        {
            // csharpier-ignore - alignment specifiers: CSharpier spaces them, dotnet format does not
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"{row.Kernel,-44} {row.Output,-8} {row.MaxAbs,12:G3} {row.MaxRel,12:G3} {"bits",-18} {(row.Pass ? "yes" : "NO: " + row.Problem)}"
                )
            );
        }

        var s = r.StepCheck!;
        // csharpier-ignore - alignment specifiers: CSharpier spaces them, dotnet format does not
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"{s.What,-44} {"all",-8} {"",12} {"",12} {"bits",-18} {(s.Pass ? "yes" : "NO: " + s.Problem)}"
            )
        );
        int passed = r.Rows.Count(x => x.Pass);
        Console.WriteLine(
            $"{passed} of {r.Rows.Count} kernel outputs with the CPU's bits, training step {(s.Pass ? "identical" : "FAILED")} ({r.Elapsed.TotalSeconds:F1} s)"
        );
        if (r.Failure is { } f)
            Console.Error.WriteLine($"error: {f}");
        return r.Pass ? ExitCode.Ok : ExitCode.Failed;
    }
}
