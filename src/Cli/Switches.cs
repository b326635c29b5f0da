namespace Untapped.Cli;

static partial class Commands
{
    // Every switch of docs/model.md, each overriding the preset only when given.
    internal sealed class Switches
    {
        // " (default: the preset's; paper X, original Y)", read from the presets themselves.
        static string ByPreset(Func<ModelConfig, object> value)
        {
            string V(Training.Model.Preset p)
            {
                object v = value(ModelConfig.For(p, ModelKind.Untapped));
                string text =
                    v is bool b ? (b ? "true" : "false")
                    : v is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture)
                    : v.ToString()!;
                return text.ToLowerInvariant();
            }
            var (paper, original) = (V(Training.Model.Preset.Paper), V(Training.Model.Preset.Original));
            return paper == original
                ? $" [default: {paper}]"
                : $" [default: the preset's: paper {paper}, original {original}]";
        }

        // One switch per line, a table (docs/model.md names each).
        // csharpier-ignore-start
        public readonly Option<ModelKind> Model = Opt("--model", "untapped or m2", ModelKind.Untapped, true);
        public readonly Option<Preset> Preset = Opt("--preset", "paper (the paper's settings, 150 epochs) or original (the authors' code, 1000 epochs)", Training.Model.Preset.Paper, true);
        public readonly Option<int?> Epochs = Opt<int?>("--epochs", "Epochs" + ByPreset(c => c.Epochs));
        public readonly Option<int> Batch = Opt("--batch", "Rows per stream per step", 10_000, true);
        public readonly Option<ulong> Seed = Opt("--seed", "Seed of every random draw", 1UL, true);
        public readonly Option<UnfeaturedZ?> UnfeaturedZ = Opt<UnfeaturedZ?>("--unfeatured-z", "fixed (10 z drawn once) or resample (fresh z per row per step)" + ByPreset(c => c.UnfeaturedZ));
        public readonly Option<Kernels.LogDetForm?> LogDet = Opt<Kernels.LogDetForm?>("--logdet", "original (log(1e-5 + prod)) or exact" + ByPreset(c => c.LogDet));
        public readonly Option<ZBox?> ZBox = Opt<ZBox?>("--z-box", "original (-pi/2, pi/2) or paper (-1.5, 1.5)" + ByPreset(c => c.ZBox));
        public readonly Option<Kernels.BernoulliForm?> Bernoulli = Opt<Kernels.BernoulliForm?>("--bernoulli", "original (clipped mean) or exact (softplus form)" + ByPreset(c => c.Bernoulli));
        public readonly Option<ClassifyOn?> ClassifyOn = Opt<ClassifyOn?>("--classify-on", "sample (Gumbel-softmax sample) or probs (softmax)" + ByPreset(c => c.ClassifyOn));
        public readonly Option<XTildeGrad?> XTildeGrad = Opt<XTildeGrad?>("--x-tilde-grad", "none (hard sample) or relaxed (relaxed Bernoulli)" + ByPreset(c => c.XTildeGrad));
        public readonly Option<bool?> ReverseQz = Opt<bool?>("--reverse-qz", "true adds -log q(z_u | x~, y_u) to the reverse ELBO" + ByPreset(c => c.ReverseQz));
        public readonly Option<ReverseLogPGrad?> ReverseLogPGrad = Opt<ReverseLogPGrad?>("--reverse-logp-grad", "full (the paper's objective) or none: log p(x~ | y_u, z_u) in the reverse ELBO counts in the loss but sends no gradient" + ByPreset(c => c.ReverseLogPGrad));
        public readonly Option<ReverseQx?> ReverseQx = Opt<ReverseQx?>("--reverse-qx", "uniform (q(x) = Bernoulli(1/2) per pixel, a constant: the paper's objective) or marginal (per-pixel Bernoullis at the training images' mean; adds -log q(x~) to the reverse ELBO)" + ByPreset(c => c.ReverseQx));
        public readonly Option<ClipMode?> Clip = Opt<ClipMode?>("--clip", "original (global norm 5, then [-1,1]) or paper ([-1,1] only)" + ByPreset(c => c.Clip));
        public readonly Option<float?> Tau = Opt<float?>("--tau", "Gumbel-softmax / Concrete temperature" + ByPreset(c => c.Tau));
        public readonly Option<double?> Lr = Opt<double?>("--lr", "Learning rate" + ByPreset(c => c.LearningRate));
        public readonly Option<int> Unlabelled = Opt("--unlabelled", "Images drawn for the unlabelled stream", ExperimentData.UnlabelledCount, true);
        // csharpier-ignore-end

        public IEnumerable<Option> All =>
            [
                Model,
                Preset,
                Epochs,
                Batch,
                Seed,
                UnfeaturedZ,
                LogDet,
                ZBox,
                Bernoulli,
                ClassifyOn,
                XTildeGrad,
                ReverseQz,
                ReverseLogPGrad,
                ReverseQx,
                Clip,
                Tau,
                Lr,
                Unlabelled,
            ];

        /// <summary>The switches given on this command line (the preset's values stand for the rest).</summary>
        public RunOverrides Overrides(ParseResult p) =>
            new()
            {
                Epochs = p.GetValue(Epochs),
                UnfeaturedZ = p.GetValue(UnfeaturedZ),
                LogDet = p.GetValue(LogDet),
                ZBox = p.GetValue(ZBox),
                Bernoulli = p.GetValue(Bernoulli),
                ClassifyOn = p.GetValue(ClassifyOn),
                XTildeGrad = p.GetValue(XTildeGrad),
                ReverseQz = p.GetValue(ReverseQz),
                ReverseLogPGrad = p.GetValue(ReverseLogPGrad),
                ReverseQx = p.GetValue(ReverseQx),
                Clip = p.GetValue(Clip),
                Tau = p.GetValue(Tau),
                LearningRate = p.GetValue(Lr),
                Batch = p.GetResult(Batch) is { Implicit: false } ? p.GetValue(Batch) : null,
                UnlabelledCount = p.GetResult(Unlabelled) is { Implicit: false } ? p.GetValue(Unlabelled) : null,
            };

        /// <summary>
        /// One value of one switch, as its option parses it (a --vary value), typed: the overrides holding it alone.
        /// </summary>
        public static RunOverrides Parse(string name, string value)
        {
            var sw = new Switches();
            var option = sw.All.Single(o => o.Name == "--" + name);
            var parse = new RootCommand { option }.Parse([option.Name, value]);
            if (parse.Errors.Count > 0)
                throw new UsageException($"--{name} {value}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
            return sw.Overrides(parse);
        }
    }
}
