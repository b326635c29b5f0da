using Untapped.Kernels;

namespace Untapped.Training.Model;

public enum ModelKind
{
    Untapped,
    M2,
}

public enum UnfeaturedZ
{
    Fixed,
    Resample,
}

public enum ZBox
{
    Original,
    Paper,
}

public enum ClassifyOn
{
    Sample,
    Probs,
}

public enum XTildeGrad
{
    None,
    Relaxed,
}

/// <summary>
/// Whether log p(x~ | y_u, z_u) in the reverse ELBO sends a gradient (<c>Full</c>, docs/model.md §4) or only its value
/// (<c>None</c>).
/// </summary>
public enum ReverseLogPGrad
{
    Full,
    None,
}

/// <summary>
/// The reverse ELBO's q(x): <see cref="Uniform"/>, Bernoulli(1/2) on every pixel (a constant, dropped: the paper's and
/// the code's objective), or <see cref="Marginal"/>, the product of per-pixel Bernoullis at the training images' mean
/// (docs/model.md §4).
/// </summary>
public enum ReverseQx
{
    Uniform,
    Marginal,
}

public enum ClipMode
{
    Original,
    Paper,
}

public enum Preset
{
    Paper,
    Original,
}

/// <summary>
/// Every switch of docs/model.md that shapes the objective, plus the optimisation schedule. <see cref="For"/> gives
/// the two presets: <c>original</c> (the authors' Theano code) and <c>paper</c> (the paper's text).
/// </summary>
public sealed record ModelConfig
{
    /// <summary>M2 or Untapped ("model" in config.json, the name it has always had there).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("model")]
    public ModelKind Kind { get; init; } = ModelKind.Untapped;
    public UnfeaturedZ UnfeaturedZ { get; init; } = UnfeaturedZ.Resample;
    public LogDetForm LogDet { get; init; } = LogDetForm.Exact;
    public ZBox ZBox { get; init; } = ZBox.Paper;
    public BernoulliForm Bernoulli { get; init; } = BernoulliForm.Exact;
    public ClassifyOn ClassifyOn { get; init; } = ClassifyOn.Sample;
    public XTildeGrad XTildeGrad { get; init; } = XTildeGrad.Relaxed;
    public bool ReverseQz { get; init; } = true;

    /// <summary>
    /// <c>None</c> stops the gradient of the reverse ELBO's log p(x~ | y_u, z_u) alone: under a relaxed x~ that term's
    /// pathwise gradient maximises the decoder's entropy at the unfeatured pairs (docs/results.md, "Why the paper
    /// preset reverses the claim"); the Concrete term keeps its relaxed gradient into the decoder.
    /// </summary>
    public ReverseLogPGrad ReverseLogPGrad { get; init; } = ReverseLogPGrad.Full;

    /// <summary>
    /// The reverse ELBO's q(x) (<see cref="Model.ReverseQx"/>). Left out of config.json when uniform, so that a run of
    /// the default objective keeps the configuration (and the resume fingerprint) it had before the switch existed.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault
    )]
    public ReverseQx ReverseQx { get; init; } = ReverseQx.Uniform;
    public ClipMode Clip { get; init; } = ClipMode.Paper;
    public float Tau { get; init; } = 1f;
    public int Epochs { get; init; } = 150;
    public double LearningRate { get; init; } = 0.01;

    /// <summary>
    /// Multiply the learning rate by <see cref="LrDecay"/> each epoch after <see cref="LrDecayAfter"/> (0 = never).
    /// </summary>
    public int LrDecayAfter { get; init; }
    public double LrDecay { get; init; } = 1.0;

    /// <summary>
    /// The switches only Untapped's reverse ELBO and reconstruction term read (M2's objective stops before them), so an
    /// M2 run under any of their values is the same run: an ablated Untapped compares with the plain M2.
    /// </summary>
    public static readonly IReadOnlySet<string> UntappedOnly = new HashSet<string>
    {
        nameof(XTildeGrad),
        nameof(ReverseQz),
        nameof(ReverseLogPGrad),
        nameof(ReverseQx),
        nameof(UnfeaturedZ),
    };

    public static ModelConfig For(Preset preset, ModelKind model = ModelKind.Untapped) =>
        preset switch
        {
            Preset.Original => new ModelConfig
            {
                Kind = model,
                UnfeaturedZ = UnfeaturedZ.Fixed,
                LogDet = LogDetForm.Original,
                ZBox = ZBox.Original,
                Bernoulli = BernoulliForm.Original,
                ClassifyOn = ClassifyOn.Sample,
                XTildeGrad = XTildeGrad.None,
                ReverseQz = false,
                Clip = ClipMode.Original,
                Epochs = 1000,
                LrDecayAfter = 500,
                LrDecay = 0.9995,
            },
            _ => new ModelConfig { Kind = model },
        };

    [System.Text.Json.Serialization.JsonIgnore]
    public (float Lo, float Hi) Box => ZBox == ZBox.Original ? (-MathF.PI / 2, MathF.PI / 2) : (-1.5f, 1.5f);

    /// <summary>Unfeatured z are drawn from U(-1.5, 1.5)^2 whatever the flow's box (docs/model.md §1).</summary>
    public const float UnfeaturedZRange = 1.5f;

    [System.Text.Json.Serialization.JsonIgnore]
    public Untapped.Graph.AdamSettings Adam => Clip == ClipMode.Original ? new() : new() { ClipNorm = 0f };

    /// <summary>Learning rate in (0-based) epoch <paramref name="epoch"/>.</summary>
    public double LearningRateAt(int epoch) =>
        LrDecayAfter > 0 && epoch >= LrDecayAfter
            ? LearningRate * Math.Pow(LrDecay, epoch - LrDecayAfter + 1)
            : LearningRate;

    /// <summary>Throws <see cref="UsageException"/> naming the first impossible value.</summary>
    public void Validate()
    {
        if (!(Tau > 0) || float.IsInfinity(Tau))
            throw new UsageException($"tau must be a positive number, got {Tau}");
        if (Epochs < 1)
            throw new UsageException($"epochs must be at least 1, got {Epochs}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new UsageException($"learning rate must be positive, got {LearningRate}");
        if (!(LrDecay > 0) || LrDecay > 1)
            throw new UsageException($"lr decay must be in (0, 1], got {LrDecay}");
        if (LrDecayAfter < 0)
            throw new UsageException($"lr decay start must not be negative, got {LrDecayAfter}");
    }
}
