// The libtorch peer of one Untapped training step: bench/peers/torch_step.py (the eager PyTorch peer) line for line in
// TorchSharp 0.107 (libtorch 2.10), the same model, losses, batch, Adam and float32, run from .NET as a user of
// TorchSharp would write it. Usage:
//   dotnet bench/peers/libtorch/bin/Release/net10.0/LibtorchStep.dll [--batch 10000] [--threads 2] [--steps 5]
//       [--preset original|paper] [--check PATH]
// --check PATH compares this step's loss terms, gradients and two Adam steps, in float64 on the case that
// `torch_step.py --dump-check PATH` wrote (the test oracle's values), and exits 1 over 1e-9 relative.
// Prints one line: "libtorch step ... median X ms over N steps (min Y), Z samples/s".
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Tensor = TorchSharp.torch.Tensor;

Native.UsePrepared();
Options opt;
Preset cfg;
try
{
    opt = Options.Parse(args);
    cfg = Preset.Of(opt.Preset);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"libtorch peer: {e.Message} (usage: see the top of bench/peers/libtorch/Program.cs)");
    return 2;
}
torch.set_num_threads(opt.Threads);
if (opt.Check is not null)
{
    double worst;
    try
    {
        worst = Check.Run(opt.Check, cfg);
    }
    catch (Exception e) when (e is IOException or JsonException or InvalidDataException)
    {
        Console.Error.WriteLine(
            $"libtorch peer: cannot read the oracle's case {opt.Check}.bin/.json ({e.Message}); write it with "
                + "bench/peers/torch_step.py --dump-check PATH"
        );
        return 2;
    }
    Console.WriteLine(
        $"libtorch peer vs oracle ({opt.Preset}, float64, batch 64): worst relative difference {worst:E2}"
    );
    if (!(worst <= 1e-9))
        return 1;
}
torch.manual_seed(1);
int B = opt.Batch;
var p = Model.InitParams(1, ScalarType.Float32);
var inp = Model.Inputs(B, ScalarType.Float32);
var adam = new Adam(p.Values, cfg.ClipNorm);
void Step()
{
    using var scope = torch.NewDisposeScope();
    var loss = Model.Objective(p, inp, Model.DrawNoise(B, ScalarType.Float32), cfg)["total"];
    foreach (var x in p.Values)
        x.grad = null;
    loss.backward();
    adam.Step();
}
Step();
var times = new List<double>();
for (int s = 0; s < opt.Steps; s++)
{
    var sw = Stopwatch.StartNew();
    Step();
    times.Add(sw.Elapsed.TotalMilliseconds);
}
times.Sort();
double med = times[times.Count / 2];
Console.WriteLine(
    $"libtorch step untapped {opt.Preset} batch {B} (libtorch {torch.__version__} via TorchSharp, {opt.Threads} threads): "
        + $"median {med:F1} ms over {opt.Steps} steps (min {times[0]:F1}), {3 * B / (med / 1000):N0} samples/s"
);
return 0;

sealed record Options(int Batch, int Threads, int Steps, string Preset, string? Check)
{
    public static Options Parse(string[] a)
    {
        var o = new Options(10000, 2, 5, "original", null);
        for (int i = 0; i < a.Length; i++)
        {
            string v = i + 1 < a.Length ? a[i + 1] : throw new ArgumentException($"{a[i]} needs a value");
            o = a[i] switch
            {
                "--batch" => o with { Batch = int.Parse(v) },
                "--threads" => o with { Threads = int.Parse(v) },
                "--steps" => o with { Steps = int.Parse(v) },
                "--preset" => o with { Preset = v },
                "--check" => o with { Check = v },
                _ => throw new ArgumentException($"unknown option {a[i]}"),
            };
            i++;
        }
        return o;
    }
}

/// <summary>docs/model.md: the switches the two presets set differently (as torch_step.py's PRESETS).</summary>
sealed record Preset(string LogDet, double Lo, double Hi, string Bernoulli, bool Relaxed, bool ReverseQz, bool ClipNorm)
{
    public static Preset Of(string name) =>
        name switch
        {
            "original" => new("original", -Math.PI / 2, Math.PI / 2, "original", false, false, true),
            "paper" => new("exact", -1.5, 1.5, "exact", true, true, false),
            _ => throw new ArgumentException($"unknown preset {name} (original, paper)"),
        };
}

static class Model
{
    static readonly (string Name, int In, int Out)[] Layers =
    [
        ("classifier.l0", 784, 50),
        ("classifier.l1", 50, 50),
        ("classifier.out", 50, 10),
        ("zencoder.l0", 794, 10),
        ("zencoder.l1", 10, 10),
        ("zencoder.mu", 10, 2),
        ("zencoder.sigma", 10, 2),
        ("decoder.l0", 12, 250),
        ("decoder.l1", 250, 500),
        ("decoder.out", 500, 784),
    ];

    // The step's parameter names in torch_step.py's order (w then b per layer).
    public static IEnumerable<string> Names => Layers.SelectMany(l => new[] { l.Name + ".w", l.Name + ".b" });

    public static Dictionary<string, Tensor> InitParams(int seed, ScalarType dtype)
    {
        var g = new Generator().manual_seed(seed);
        var p = new Dictionary<string, Tensor>();
        foreach (var (name, fi, fo) in Layers)
        {
            double lim = Math.Sqrt(2) * Math.Sqrt(6.0 / (fi + fo));
            var w = name == "zencoder.sigma" ? zeros(fi, fo, dtype) : (rand(fi, fo, dtype, generator: g) * 2 - 1) * lim;
            p[name + ".w"] = w.detach().requires_grad_();
            p[name + ".b"] = zeros(fo, dtype).requires_grad_();
        }
        return p;
    }

    public static Dictionary<string, Tensor> Inputs(int b, ScalarType dtype)
    {
        var g = new Generator().manual_seed(2);
        var yf = full(b, 10, 0.05 / 9, dtype);
        yf.scatter_(1, (arange(b) % 10).unsqueeze(1), full(b, 1, 0.95, dtype));
        return new()
        {
            ["x_labelled"] = (rand(b, 784, generator: g) < 0.3).to(dtype),
            ["y_labelled"] = eye(10, dtype: dtype).index(randint(0, 10, [b], generator: g)),
            ["x_unlabelled"] = (rand(b, 784, generator: g) < 0.3).to(dtype),
            ["y_unfeatured"] = yf,
            ["z_unfeatured"] = rand(b, 2, dtype, generator: g) * 3 - 1.5,
        };
    }

    /// <summary>Fresh draws every step, as the C# step makes them.</summary>
    public static Dictionary<string, Tensor> DrawNoise(int b, ScalarType dtype) =>
        new()
        {
            ["eps (labelled)"] = randn(b, 2, dtype),
            ["eps (unlabelled)"] = randn(b, 2, dtype),
            ["u_gumbel (classify)"] = rand(b, 10, dtype),
            ["u_gumbel (unlabelled)"] = rand(b, 10, dtype),
            ["u_bernoulli (reverse)"] = rand(b, 784, dtype),
            ["u_bernoulli (reconstruct)"] = rand(b, 784, dtype),
        };

    static Tensor Dense(Dictionary<string, Tensor> p, string name, Tensor x, bool tanh = true)
    {
        var o = addmm(p[name + ".b"], x, p[name + ".w"], 1, 1);
        return tanh ? o.tanh() : o;
    }

    static Tensor Classifier(Dictionary<string, Tensor> p, Tensor x) =>
        Dense(p, "classifier.out", Dense(p, "classifier.l1", Dense(p, "classifier.l0", x)), false);

    // [x, y] W written as x W_x + y W_y: no 10,000 x 794 copy.
    static (Tensor Mu, Tensor Sigma) Encoder(Dictionary<string, Tensor> p, Tensor x, Tensor y)
    {
        var w = p["zencoder.l0.w"];
        var h = (addmm(p["zencoder.l0.b"], x, w[..784], 1, 1) + y.matmul(w[784..])).tanh();
        h = Dense(p, "zencoder.l1", h);
        return (Dense(p, "zencoder.mu", h, false), F.softplus(Dense(p, "zencoder.sigma", h, false)));
    }

    static Tensor Decoder(Dictionary<string, Tensor> p, Tensor y, Tensor z)
    {
        var w = p["decoder.l0.w"];
        var h = (addmm(p["decoder.l0.b"], y, w[..10], 1, 1) + z.matmul(w[10..])).tanh();
        return Dense(p, "decoder.out", Dense(p, "decoder.l1", h), false);
    }

    static Tensor BernoulliLogLik(Tensor x, Tensor logits, string form) =>
        form == "exact"
            ? -F.binary_cross_entropy_with_logits(logits, x, reduction: nn.Reduction.None).sum(1)
            // The original form clips the mean to [1e-5, 1 - 1e-5]; BCE's own log clamp (-100) is never reached then.
            : -F.binary_cross_entropy(logits.sigmoid().clamp(1e-5, 1 - 1e-5), x, reduction: nn.Reduction.None).sum(1);

    static Tensor BernoulliSample(Tensor logits, Tensor u, bool relaxed, string form)
    {
        if (relaxed)
            return (logits + logit(u)).sigmoid(); // tau = 1
        var m = logits.sigmoid();
        if (form == "original")
            m = m.clamp(1e-5, 1 - 1e-5);
        return (u < m).to(logits.dtype);
    }

    static Tensor GumbelSoftmax(Tensor logits, Tensor u) => softmax(logits - (1e-4 - (u + 1e-4).log()).log(), 1);

    static readonly double LgammaTen = Math.Log(362880.0); // lgamma(10) = log 9!

    static Tensor ConcreteLogPdf(Tensor logits, Tensor y, int k = 10)
    {
        var lsm = logits.log_softmax(1);
        var ly = y.clamp(min: 1e-30).log();
        return LgammaTen - k * logsumexp(lsm - ly, 1) + (lsm - 2 * ly).sum(1); // tau = 1
    }

    static readonly double Log2Pi = Math.Log(2 * Math.PI);

    static Tensor GaussianLogPdf(Tensor zt, Tensor mu, Tensor sigma)
    {
        var s = sigma + 1e-5;
        return (-0.5 * ((zt - mu) / s).square() - s.log()).sum(1) - Log2Pi;
    }

    static (Tensor Z, Tensor LogDet) Flow(Tensor zt, Preset cfg)
    {
        double lo = cfg.Lo,
            hi = cfg.Hi;
        var s = zt.sigmoid();
        var logdet =
            cfg.LogDet == "exact"
                ? (Math.Log(hi - lo) + F.logsigmoid(zt) + F.logsigmoid(-zt)).sum(1)
                : (1e-5 + ((hi - lo) * s * (1 - s)).prod(1)).log();
        return (lo + (hi - lo) * s, logdet);
    }

    /// <summary>The weighted total and each term (means over the batch), docs/model.md §4.</summary>
    public static Dictionary<string, Tensor> Objective(
        Dictionary<string, Tensor> p,
        Dictionary<string, Tensor> inp,
        Dictionary<string, Tensor> noise,
        Preset cfg
    )
    {
        (Tensor Z, Tensor LogQ) Posterior(Tensor x, Tensor y, Tensor eps)
        {
            var (mu, sigma) = Encoder(p, x, y);
            var zt = mu + sigma * eps;
            var (z, logdet) = Flow(zt, cfg);
            return (z, GaussianLogPdf(zt, mu, sigma) - logdet);
        }

        Tensor xl = inp["x_labelled"],
            yl = inp["y_labelled"],
            xu = inp["x_unlabelled"];
        var (z, logq) = Posterior(xl, yl, noise["eps (labelled)"]);
        var logitsL = Decoder(p, yl, z);
        var t = new Dictionary<string, Tensor>
        {
            ["labelled_elbo"] = (logq - BernoulliLogLik(xl, logitsL, cfg.Bernoulli)).mean(),
        };
        var pc = GumbelSoftmax(Classifier(p, xl), noise["u_gumbel (classify)"]);
        t["classify"] = -(pc * yl).sum(1).clamp(min: 1e-6).log().mean();
        var lu = Classifier(p, xu);
        var yu = GumbelSoftmax(lu, noise["u_gumbel (unlabelled)"]);
        var (zu, logqu) = Posterior(xu, yu, noise["eps (unlabelled)"]);
        t["unlabelled_elbo"] = (
            ConcreteLogPdf(lu, yu) + logqu - BernoulliLogLik(xu, Decoder(p, yu, zu), cfg.Bernoulli)
        ).mean();
        Tensor yf = inp["y_unfeatured"],
            zf = inp["z_unfeatured"];
        var logitsR = Decoder(p, yf, zf);
        var xr = BernoulliSample(logitsR, noise["u_bernoulli (reverse)"], cfg.Relaxed, cfg.Bernoulli);
        var rev = BernoulliLogLik(xr, logitsR, cfg.Bernoulli) - ConcreteLogPdf(Classifier(p, xr), yf);
        if (cfg.ReverseQz)
        {
            var ztr = logit(((zf - cfg.Lo) / (cfg.Hi - cfg.Lo)).clamp(1e-5, 1 - 1e-5));
            var (_, logdetR) = Flow(ztr, cfg);
            var (mu, sigma) = Encoder(p, xr, yf);
            rev = rev - (GaussianLogPdf(ztr, mu, sigma) - logdetR);
        }
        t["reverse_elbo"] = rev.mean();
        var xrec = BernoulliSample(logitsL, noise["u_bernoulli (reconstruct)"], cfg.Relaxed, cfg.Bernoulli);
        t["reconstruct"] = linalg.vector_norm(xrec - xl, 2, [1]).mean();
        var w = new Dictionary<string, double>
        {
            ["labelled_elbo"] = 0.1,
            ["classify"] = 1.0,
            ["unlabelled_elbo"] = 0.1,
            ["reverse_elbo"] = 0.1,
            ["reconstruct"] = 0.01,
        };
        Tensor total = zeros_like(t["classify"]);
        foreach (var (k, v) in t)
            total = total + w[k] * v;
        t["total"] = total;
        return t;
    }
}

/// <summary>Adam with the original code's epsilon placement and clipping (docs/model.md §5), tensor by tensor.</summary>
sealed class Adam(IEnumerable<Tensor> parameters, bool clipNorm)
{
    readonly Tensor[] _p = parameters.ToArray();
    Tensor[]? _m,
        _v;
    int _t;

    public void Step() => Step(_p.Select(x => x.grad!).ToArray());

    public void Step(Tensor[] g)
    {
        using var noGrad = torch.no_grad();
        _m ??= _p.Select(x => zeros_like(x).DetachFromDisposeScope()).ToArray();
        _v ??= _p.Select(x => zeros_like(x).DetachFromDisposeScope()).ToArray();
        _t++;
        if (clipNorm)
        {
            double norm = Math.Sqrt(g.Sum(x => x.square().sum().ToDouble()));
            foreach (var x in g)
                x.mul_(Math.Min(1.0, 5.0 / norm));
        }
        double step = -0.01 * Math.Sqrt(1 - Math.Pow(0.999, _t)) / (1 - Math.Pow(0.9, _t));
        for (int i = 0; i < _p.Length; i++)
        {
            var gi = g[i].clamp_(-1.0, 1.0);
            _m[i].mul_(0.9).add_(gi, 0.1);
            _v[i].mul_(0.999).addcmul_(gi, gi, 0.001);
            _p[i].addcdiv_(_m[i], _v[i].sqrt().add_(1e-4), step);
        }
    }
}

/// <summary>This step against the oracle's case written by torch_step.py --dump-check (float64).</summary>
static class Check
{
    public static double Run(string path, Preset cfg)
    {
        var items = JsonSerializer.Deserialize<List<JsonElement>>(File.ReadAllText(path + ".json"))!;
        var bytes = File.ReadAllBytes(path + ".bin");
        var t = new Dictionary<string, Tensor>();
        int off = 0;
        foreach (var it in items)
        {
            string name = it[0].GetString()!;
            long[] shape = it[1].EnumerateArray().Select(e => e.GetInt64()).ToArray();
            int n = (int)shape.Aggregate(1L, (a, b) => a * b);
            var data = MemoryMarshal.Cast<byte, double>(bytes.AsSpan(off, n * 8)).ToArray();
            t[name] = tensor(data, shape, ScalarType.Float64);
            off += n * 8;
        }
        if (off != bytes.Length)
            throw new InvalidDataException($"{path}.bin: {bytes.Length} bytes, the manifest names {off}");
        var p = Model.Names.ToDictionary(k => k, k => t["param " + k].requires_grad_());
        Dictionary<string, Tensor> Group(string prefix) =>
            t.Where(kv => kv.Key.StartsWith(prefix)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);
        var ours = Model.Objective(p, Group("input "), Group("noise "), cfg);
        var grads = torch.autograd.grad([ours["total"]], p.Values.ToArray());
        double worst = 0;
        double Rel(Tensor a, Tensor b) =>
            (a - b).abs().max().item<double>() / Math.Max(1.0, b.abs().max().item<double>());
        foreach (var (k, v) in Group("term "))
            worst = Math.Max(worst, Rel(ours[k].reshape(1), v));
        int i = 0;
        foreach (var k in p.Keys)
            worst = Math.Max(worst, Rel(grads[i++], t["grad " + k]));
        // Two Adam steps with gradients g and 2g, as the oracle's case wrote them.
        var q = p.Values.Select(x => x.detach().clone()).ToArray();
        var adam = new Adam(q, cfg.ClipNorm);
        for (int s = 1; s <= 2; s++)
            adam.Step(grads.Select(g => (s * g).detach().clone()).ToArray());
        i = 0;
        foreach (var k in p.Keys)
            worst = Math.Max(worst, Rel(q[i++], t["adam2 " + k]));
        return worst;
    }
}

/// <summary>
/// Loads the libtorch glue that bench/peers/libtorch/setup.sh prepared beside this program (native/), when it is
/// there: TorchSharp 0.107's libLibTorchSharp.so was built with GCC 13 and asks for one GCC 13 symbol
/// (std::ios_base_library_init) that Debian 12's libstdc++ lacks; setup.sh's copy takes it from a one-line shim.
/// </summary>
static class Native
{
    public static void UsePrepared()
    {
        string glue = Path.Combine(AppContext.BaseDirectory, "native", "libLibTorchSharp.so");
        if (!File.Exists(glue))
            return;
        // Loaded first by its path, the glue is the one that TorchSharp's own load by name then finds (the loader
        // matches an already loaded library by its soname).
        NativeLibrary.Load(glue);
    }
}
