using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Untapped.Kernels.Cpu;
using Untapped.Tests;
using Untapped.Training.Data;
using Untapped.Training.Evaluation;
using Untapped.Training.Export;
using Untapped.Training.Reports;
using Untapped.Training.Runs;
using Xunit;

namespace Untapped.Training.Tests;

/// <summary>
/// Debian's python3 with a module importable; under CI=true (where .ci/run installs them) a missing one fails instead
/// of skipping.
/// </summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute(string module)
    {
        if (Interop.Python(module) is null && !Untapped.Tests.Ci.Required)
            Skip = $"no python3 with the '{module}' module (Debian: apt-get install python3-numpy python3-onnx)";
    }
}

static class Interop
{
    /// <summary>
    /// The first python3 (Debian's first: its packages are what .ci/run installs) that imports <paramref
    /// name="module"/>.
    /// </summary>
    public static string? Python(string module)
    {
        foreach (var py in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var (code, _) = Run(py, "-c", $"import {module}");
                if (code == 0)
                    return py;
            }
            catch (System.ComponentModel.Win32Exception) { }
        }
        return null;
    }

    public static (int Code, string Output) Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    public static string Repo() => RepoPaths.Root;
}

/// <summary>
/// Trained models leave C#: the numpy example and the ONNX export compute what the project computes (`untapped
/// predict`, <see cref="Inference"/>) within 1e-5, and Debian's onnx.checker accepts the models.
/// </summary>
public sealed class InteropTests
{
    const float Tol = 1e-5f;
    static readonly string Data = TinyMnist.Folder(160, 40);
    static readonly Lazy<string> TrainedRun = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));
        Assert.Equal(
            0,
            Cli.App.Run([
                .. Argv.Words("train --epochs 1 --batch 32 --unlabelled 64 --data"),
                Data,
                "--out",
                dir,
                "--backend",
                "cpu",
            ])
        );
        return dir;
    });

    static float[][] Rows(JsonNode? n) =>
        [.. n!.AsArray().Select(r => r!.AsArray().Select(v => v!.GetValue<float>()).ToArray())];

    static void Close(float[][] expected, float[][] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int r = 0; r < expected.Length; r++)
        {
            Assert.Equal(expected[r].Length, actual[r].Length);
            for (int c = 0; c < expected[r].Length; c++)
            {
                Assert.True(
                    Math.Abs(expected[r][c] - actual[r][c]) <= Tol,
                    $"{what}[{r}][{c}]: expected {expected[r][c]}, got {actual[r][c]}"
                );
            }
        }
    }

    [PythonFact("numpy")]
    public void TheNumpyExampleComputesWhatPredictDoes()
    {
        var run = TrainedRun.Value;
        string ours = Path.Combine(run, "predict.json"),
            theirs = Path.Combine(run, "python.json");
        Assert.Equal(0, Cli.App.Run(["predict", "--run", run, "--count", "12", "--out", ours, "--backend", "cpu"]));
        var py = Interop.Python("numpy")
            ?? throw new InvalidOperationException("CI=true and no python3 with numpy: .ci/run installs python3-numpy");
        var (code, output) = Interop.Run(
            py,
            Path.Combine(Interop.Repo(), "examples", "python", "decode_digits.py"),
            run,
            "--count",
            "12",
            "--json",
            theirs,
            "--pgm",
            Path.Combine(run, "digits.pgm")
        );
        Assert.True(code == 0, output);
        var a = JsonNode.Parse(File.ReadAllText(ours))!;
        var b = JsonNode.Parse(File.ReadAllText(theirs))!;
        Assert.Equal(
            a["zbar"]!.ToJsonString(),
            b["zbar"]!
                .AsArray()
                .Select(v => (float)v!.GetValue<double>())
                .Aggregate("[", (s, v) =>
                    s + (s == "[" ? "" : ",") + v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
                ) + "]"
        );
        Close(Rows(a["digit_means"]), Rows(b["digit_means"]), "digit_means");
        Close(Rows(a["logits"]), Rows(b["logits"]), "logits");
        Assert.Equal(12, Rows(b["logits"]).Length);
        Assert.True(new FileInfo(Path.Combine(run, "digits.pgm")).Length > 280 * 28);
    }

    [Fact]
    public void TheOnnxModelsComputeWhatTheProjectDoes()
    {
        var run = TrainedRun.Value;
        var folder = Path.Combine(run, "onnx");
        Assert.Equal(0, Cli.App.Run(["export", "--run", run, "--onnx", folder]));

        using var acc = new CpuBackend(1);
        using var inf = Inference.FromHost(acc, RunReports.LoadParameters(run));
        var images = Mnist.Load(Data);
        const int n = 7; // a batch size the models were not written for: n is dynamic
        var rng = new Random(3);
        var y = new float[n * 10];
        var z = new float[n * 2];
        for (int i = 0; i < n; i++)
        {
            y[i * 10 + i % 10] = 1f;
            z[2 * i] = rng.NextSingle() * 3 - 1.5f;
            z[2 * i + 1] = rng.NextSingle() * 3 - 1.5f;
        }
        var x = images.ImagesAsFloats(0, n);
        var means = inf.DecoderLogits(y, z, n).Select(l => Untapped.Kernels.Fn.Sigmoid(l)).ToArray();
        var logits = inf.ClassifierLogits(x, n);

        using (var dec = new InferenceSession(Path.Combine(folder, OnnxExport.DecoderFile)))
        {
            Assert.Equal(["y", "z"], dec.InputMetadata.Keys.Order());
            Assert.Equal(-1, dec.InputMetadata["y"].Dimensions[0]);
            using var r = dec.Run([
                NamedOnnxValue.CreateFromTensor("y", new DenseTensor<float>(y, [n, 10])),
                NamedOnnxValue.CreateFromTensor("z", new DenseTensor<float>(z, [n, 2])),
            ]);
            var got = r.Single(v => v.Name == "means").AsTensor<float>().ToArray();
            Close([means], [got], "decoder means");
        }
        using (var clf = new InferenceSession(Path.Combine(folder, OnnxExport.ClassifierFile)))
        {
            using var r = clf.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [n, Mnist.Pixels]))]);
            Close([logits], [r.Single(v => v.Name == "logits").AsTensor<float>().ToArray()], "classifier logits");
        }
    }

    [PythonFact("onnx")]
    public void DebiansOnnxCheckerAcceptsTheModels()
    {
        var run = TrainedRun.Value;
        var folder = Path.Combine(run, "onnx-checked");
        Assert.Equal(0, Cli.App.Run(["export", "--run", run, "--onnx", folder]));
        var py = Interop.Python("onnx")
            ?? throw new InvalidOperationException("CI=true and no python3 with onnx: .ci/run installs python3-onnx");
        foreach (var f in new[] { OnnxExport.DecoderFile, OnnxExport.ClassifierFile })
        {
            var (code, output) = Interop.Run(
                py,
                "-c",
                "import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print(m.opset_import[0].version)",
                Path.Combine(folder, f)
            );
            Assert.True(code == 0, $"{f}: {output}");
            Assert.Equal(OnnxExport.Opset.ToString(), output.Trim());
        }
    }

    [Fact]
    public void PredictWithoutEvalJsonNamesTheFile()
    {
        var run = TrainedRun.Value;
        var copy = Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(copy);
        foreach (var f in new[] { RunDirectory.ConfigFile, RunDirectory.CheckpointFile })
            File.Copy(Path.Combine(run, f), Path.Combine(copy, f));
        var e = Assert.Throws<IncompleteRunException>(() => Prediction.Of(copy, new CpuBackend(1), 3));
        Assert.Contains(Path.Combine(copy, RunDirectory.EvalFile), e.Message);
        Assert.True(RunFailure.Is(e)); // exit 1, and the CLI adds how to write the file again
        Assert.Equal([Remedy.Evaluate], e.Remedies);
    }
}
