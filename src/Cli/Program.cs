using System.CommandLine;
using Spectre.Console;
using Untapped.Cli;
using Untapped.Graph;
using Untapped.Kernels;
using Untapped.Training;
using Untapped.Training.Data;

namespace Untapped.Cli
{
    /// <summary>Exit codes: 0 success, 1 bad input data / failed run, 2 bad options or absent backend.</summary>
    public static partial class Cli
    {
        public const int Ok = 0, Failed = 1, Usage = 2;

        public static int Main(string[] args) => Run(args);

        public static int Run(string[] args)
        {
            var root = Commands.Root();
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var e in parse.Errors) Console.Error.WriteLine($"error: {e.Message}");
                Console.Error.WriteLine("Run 'untapped --help' (or 'untapped <command> --help') for the valid options.");
                return Usage;
            }
            try { return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }); }
            catch (ArgumentException e) { Console.Error.WriteLine($"error: {e.Message}"); return Usage; }
            catch (DeviceException e) { Console.Error.WriteLine($"error: {e.Message}"); return Usage; }
            catch (DataFormatException e) { Console.Error.WriteLine($"error: {e.Message}"); return Failed; }
            catch (SafetensorsException e) { Console.Error.WriteLine($"error: {e.Message}"); return Failed; }
            catch (TrainingDivergedException e) { Console.Error.WriteLine($"error: {e.Message}; the last complete checkpoint is kept"); return Failed; }
            catch (IOException e) { Console.Error.WriteLine($"error: {e.Message}"); return Failed; }
        }

        /// <summary>The --backend names, in the order `auto` tries the device ones.</summary>
        public static readonly (string Name, AcceleratorKind Kind)[] Backends =
            [("cuda", AcceleratorKind.Cuda), ("opencl", AcceleratorKind.OpenCl), ("ilgpu-cpu", AcceleratorKind.IlgpuCpu), ("cpu", AcceleratorKind.Cpu)];

        /// <summary>The --backend name of a backend kind.</summary>
        public static string BackendName(AcceleratorKind kind) => Backends.First(b => b.Kind == kind).Name;

        /// <summary>auto | cuda | opencl | ilgpu-cpu | cpu, with the managed CPU backend's thread count.</summary>
        public static Accelerator CreateBackend(string backend, int threads)
        {
            if (backend.Equals("auto", StringComparison.OrdinalIgnoreCase)) return Context.CreateBest(threads);
            var names = string.Join(", ", Backends.Select(b => b.Name));
            var match = Backends.Where(b => b.Name.Equals(backend, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (match.Length == 0) throw new DeviceException($"unknown backend '{backend}'; valid: auto, {names}");
            try { return Context.Create(match[0].Kind, 0, threads); }
            catch (DeviceException e)
            {
                var present = Backends.Where(b => Context.Unavailable(b.Kind) is null).Select(b => b.Name);
                throw new DeviceException($"{e.Message}. Backends present here: auto, {string.Join(", ", present)}", e);
            }
        }
    }
}
