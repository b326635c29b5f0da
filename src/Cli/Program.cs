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

        /// <summary>auto | cpu | opencl | cuda, with the CPU's thread count.</summary>
        public static Accelerator CreateBackend(string backend, int threads)
        {
            try { return Create(backend, threads); }
            catch (DeviceException e) when (!backend.Equals("auto", StringComparison.OrdinalIgnoreCase))
            {
                var present = new[] { AcceleratorKind.Cuda, AcceleratorKind.OpenCl, AcceleratorKind.Cpu }.Where(k => Context.Unavailable(k) is null)
                    .Select(k => k.ToString().ToLowerInvariant());
                throw new DeviceException($"{e.Message}. Backends present here: auto, {string.Join(", ", present)}", e);
            }
        }

        static Accelerator Create(string backend, int threads) => backend.ToLowerInvariant() switch
        {
            "auto" => Context.CreateBest(threads),
            "cpu" => Context.Create(AcceleratorKind.Cpu, 0, threads),
            "opencl" => Context.Create(AcceleratorKind.OpenCl),
            "cuda" => Context.Create(AcceleratorKind.Cuda),
            _ => throw new ArgumentException($"unknown backend '{backend}'; valid: auto, cpu, opencl, cuda"),
        };
    }
}
