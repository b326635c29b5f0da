namespace Untapped.Cli;

// `untapped export`: a run's decoder and classifier as ONNX models.
static partial class Commands
{
    static Command Export()
    {
        var run = RunOption();
        var onnx = new Option<string>("--onnx")
        {
            Description = "Folder to write decoder.onnx and classifier.onnx into",
            Required = true,
        };
        var cmd = new Command(
            "export",
            $"Export a run's decoder (y [n,10], z [n,2] -> pixel means [n,784]) and classifier (x [n,784] -> logits [n,10]) as ONNX models (opset {Training.Export.OnnxExport.Opset}, batch dimension n dynamic).\n\n"
                + "Example:\n  untapped export --run runs/untapped --onnx runs/untapped/onnx"
        )
        {
            run,
            onnx,
        };
        cmd.SetAction(p =>
        {
            if (File.Exists(p.GetValue(onnx)))
            {
                throw new UsageException(
                    $"--onnx must name a folder to write decoder.onnx and classifier.onnx into, but '{p.GetValue(onnx)}' is a file: choose another --onnx"
                );
            }

            var (dec, clf) = Training.Export.OnnxExport.Write(
                p.GetValue(onnx)!,
                RunReports.LoadParameters(p.GetValue(run)!),
                Version()
            );
            Console.WriteLine($"wrote {dec} and {clf} (ONNX opset {Training.Export.OnnxExport.Opset})");
            return ExitCode.Ok;
        });
        return cmd;
    }
}
