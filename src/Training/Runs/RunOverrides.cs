using Untapped.Kernels;
using Untapped.Training.Model;

namespace Untapped.Training.Runs;

/// <summary>
/// Settings given on top of a preset: each non-null field replaces the preset's value. What `train` resolves its
/// switches into, and what a sweep applies per trial (the options every trial shares, then the trial's varied ones),
/// so one mechanism turns a preset and the user's choices into a run.
/// </summary>
public sealed record RunOverrides
{
    public int? Epochs { get; init; }
    public UnfeaturedZ? UnfeaturedZ { get; init; }
    public LogDetForm? LogDet { get; init; }
    public ZBox? ZBox { get; init; }
    public BernoulliForm? Bernoulli { get; init; }
    public ClassifyOn? ClassifyOn { get; init; }
    public XTildeGrad? XTildeGrad { get; init; }
    public bool? ReverseQz { get; init; }
    public ReverseLogPGrad? ReverseLogPGrad { get; init; }
    public ReverseQx? ReverseQx { get; init; }
    public ClipMode? Clip { get; init; }
    public float? Tau { get; init; }
    public double? LearningRate { get; init; }
    public int? Batch { get; init; }
    public int? UnlabelledCount { get; init; }

    public static readonly RunOverrides None = new();

    /// <summary>These overrides, then <paramref name="later"/>'s on top (its non-null fields win).</summary>
    public RunOverrides Then(RunOverrides later) =>
        new()
        {
            Epochs = later.Epochs ?? Epochs,
            UnfeaturedZ = later.UnfeaturedZ ?? UnfeaturedZ,
            LogDet = later.LogDet ?? LogDet,
            ZBox = later.ZBox ?? ZBox,
            Bernoulli = later.Bernoulli ?? Bernoulli,
            ClassifyOn = later.ClassifyOn ?? ClassifyOn,
            XTildeGrad = later.XTildeGrad ?? XTildeGrad,
            ReverseQz = later.ReverseQz ?? ReverseQz,
            ReverseLogPGrad = later.ReverseLogPGrad ?? ReverseLogPGrad,
            ReverseQx = later.ReverseQx ?? ReverseQx,
            Clip = later.Clip ?? Clip,
            Tau = later.Tau ?? Tau,
            LearningRate = later.LearningRate ?? LearningRate,
            Batch = later.Batch ?? Batch,
            UnlabelledCount = later.UnlabelledCount ?? UnlabelledCount,
        };

    public ModelConfig ApplyTo(ModelConfig c) =>
        c with
        {
            Epochs = Epochs ?? c.Epochs,
            UnfeaturedZ = UnfeaturedZ ?? c.UnfeaturedZ,
            LogDet = LogDet ?? c.LogDet,
            ZBox = ZBox ?? c.ZBox,
            Bernoulli = Bernoulli ?? c.Bernoulli,
            ClassifyOn = ClassifyOn ?? c.ClassifyOn,
            XTildeGrad = XTildeGrad ?? c.XTildeGrad,
            ReverseQz = ReverseQz ?? c.ReverseQz,
            ReverseLogPGrad = ReverseLogPGrad ?? c.ReverseLogPGrad,
            ReverseQx = ReverseQx ?? c.ReverseQx,
            Clip = Clip ?? c.Clip,
            Tau = Tau ?? c.Tau,
            LearningRate = LearningRate ?? c.LearningRate,
        };

    /// <summary>
    /// The run of <paramref name="model"/> under <paramref name="preset"/> with these overrides: the preset's
    /// configuration, these fields on top, everything else (seed, backend, paths) from <paramref name="rest"/>.
    /// </summary>
    public RunOptions ApplyTo(RunOptions rest, Preset preset, ModelKind model) =>
        rest with
        {
            Preset = preset,
            Model = ApplyTo(ModelConfig.For(preset, model)),
            Batch = Batch ?? rest.Batch,
            UnlabelledCount = UnlabelledCount ?? rest.UnlabelledCount,
        };
}
