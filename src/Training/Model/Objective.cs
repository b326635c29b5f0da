using Untapped.Graph;
using Untapped.Training.Data;

namespace Untapped.Training.Model;

/// <summary>
/// The training graph of M2 or Untapped (docs/model.md §4) and the input tensors the trainer fills each step.
/// </summary>
public sealed class Objective
{
    public const string LabelledElbo = "labelled_elbo",
        Classify = "classify",
        UnlabelledElbo = "unlabelled_elbo",
        ReverseElbo = "reverse_elbo",
        Reconstruct = "reconstruct";

    /// <summary>
    /// Monitors (logged, not optimised): log p(x~|y_u,z_u), Concrete log q(y_u|x~), log q(z_u|x~,y_u) with its flow
    /// log-det, and log q(x~) under <c>--reverse-qx marginal</c>.
    /// </summary>
    public const string ReverseLogPx = "reverse.log_p_x",
        ReverseLogQy = "reverse.log_q_y",
        ReverseLogQz = "reverse.log_q_z",
        ReverseLogQx = "reverse.log_q_x";

    public ComputeGraph Graph { get; }
    public ModelConfig Config { get; }
    public Tensor XLabelled { get; }
    public Tensor YLabelled { get; }
    public Tensor XUnlabelled { get; }
    public Tensor? YUnfeatured { get; }
    public Tensor? ZUnfeatured { get; }

    /// <summary>
    /// Under <c>--reverse-qx marginal</c>: [batchUnfeatured, 784] logits of q(x), every row logit(mu) for the
    /// training images' pixel means mu (<see cref="ExperimentData.PixelMarginal"/>); the trainer fills it.
    /// </summary>
    public Tensor? QxLogits { get; }

    /// <summary>The reverse stream's generated images x~ (Untapped only).</summary>
    public Tensor? XTilde { get; }

    /// <summary>Loss term names in the order of the executor's loss vector (the weighted total follows).</summary>
    public IReadOnlyList<string> TermNames => Graph.Losses.Select(l => l.Name).ToArray();

    /// <param name="unfeaturedTiled">
    /// The caller feeds the unfeatured (y, z) as the ten corners' pairs tiled down the batch (the trainer does under
    /// `--unfeatured-z fixed`): the reverse decoder's forward then computes 10 rows and copies them.
    /// </param>
    public Objective(
        ModelConfig cfg,
        int batchLabelled,
        int batchUnlabelled,
        int batchUnfeatured,
        bool unfeaturedTiled = false
    )
    {
        cfg.Validate();
        Config = cfg;
        var g = Graph = new ComputeGraph();
        var net = Networks.Declare(g);
        var (lo, hi) = cfg.Box;
        float tau = cfg.Tau;
        const int P = Mnist.Pixels,
            C = Mnist.Classes,
            Z = Networks.ZDim;
        bool relaxed = cfg.XTildeGrad == XTildeGrad.Relaxed;

        XLabelled = g.Input("x_labelled", batchLabelled, P);
        YLabelled = g.Input("y_labelled", batchLabelled, C);
        XUnlabelled = g.Input("x_unlabelled", batchUnlabelled, P);

        // (z, log q(z|x,y)) parts for a reparameterised draw through the flow.
        (Tensor Z, LossPart[] LogQ) Posterior(Tensor x, Tensor y, string tag)
        {
            var (mu, sigma) = net.Encoder(x, y, tag);
            var eps = g.Noise($"eps ({tag})", x.Rows, Z, normal: true);
            var zt = g.GaussianSample($"z_tilde ({tag})", mu, sigma, eps);
            var logN = g.GaussianLogPdf($"log_n ({tag})", zt, mu, sigma);
            var (z, logdet) = g.LogisticFlow($"flow ({tag})", zt, lo, hi, cfg.LogDet);
            return (z, [new(logN, 1f), new(logdet, -1f)]);
        }

        // x~ ~ p(x | logits), hard or relaxed: the stream's decoder sample from its own Bernoulli noise.
        Tensor DecoderSample(Tensor logits, string stream) =>
            g.BernoulliSample(
                $"x_tilde ({stream})",
                logits,
                g.Noise($"u_bernoulli ({stream})", logits.Rows, P, false),
                tau,
                relaxed,
                cfg.Bernoulli
            );

        // ||x~ - x|| for a decoder sample x~ of the labelled pair's logits.
        Tensor Reconstruction(Tensor logits) =>
            g.L2Distance("dist (reconstruct)", DecoderSample(logits, "reconstruct"), XLabelled);

        // 1. labelled ELBO with the true one-hot label.
        var (zL, logqL) = Posterior(XLabelled, YLabelled, "labelled");
        var logitsL = net.Decoder(YLabelled, zL, "labelled");
        var logpL = g.BernoulliLogLik("log_p (labelled)", XLabelled, logitsL, cfg.Bernoulli);
        g.Loss(LabelledElbo, 0.1f, [.. logqL, new(logpL, -1f)]);
        // Untapped's reconstruction term (5., below) scores a decoder sample of these same logits: drawn here, right
        // after them, the decoder's output layer makes it in its epilogue while the logits are in cache.
        var distRec = cfg.Kind == ModelKind.M2 ? null : Reconstruction(logitsL);

        // 2. classification of labelled images.
        var logitsC = net.Classifier(XLabelled, "labelled");
        var pC =
            cfg.ClassifyOn == ClassifyOn.Sample
                ? g.GumbelSoftmax(
                    "y_sample (classify)",
                    logitsC,
                    g.Noise("u_gumbel (classify)", batchLabelled, C, false),
                    tau
                )
                : g.GumbelSoftmax("y_probs (classify)", logitsC, null, 1f);
        g.Loss(Classify, 1f, new LossPart(g.ClippedCrossEntropy("ce (classify)", pC, YLabelled), 1f));

        // 3. unlabelled ELBO with a relaxed label sampled from the classifier.
        var logitsU = net.Classifier(XUnlabelled, "unlabelled");
        var yU = g.GumbelSoftmax(
            "y_sample (unlabelled)",
            logitsU,
            g.Noise("u_gumbel (unlabelled)", batchUnlabelled, C, false),
            tau
        );
        var logqY = g.ConcreteLogPdf("log_q_y (unlabelled)", logitsU, yU, tau);
        var (zU, logqU) = Posterior(XUnlabelled, yU, "unlabelled");
        var logitsUx = net.Decoder(yU, zU, "unlabelled");
        var logpU = g.BernoulliLogLik("log_p (unlabelled)", XUnlabelled, logitsUx, cfg.Bernoulli);
        g.Loss(UnlabelledElbo, 0.1f, [new(logqY, 1f), .. logqU, new(logpU, -1f)]);

        if (cfg.Kind == ModelKind.M2)
            return;

        // 4. reverse ELBO on unfeatured (y, z): generate x~, score it, and ask the classifier to recognise y.
        int period = unfeaturedTiled && batchUnfeatured > C ? C : 0;
        YUnfeatured = g.Input("y_unfeatured", batchUnfeatured, C, period);
        ZUnfeatured = g.Input("z_unfeatured", batchUnfeatured, Z, period);
        var logitsR = net.Decoder(YUnfeatured, ZUnfeatured, "reverse");
        var xR = DecoderSample(logitsR, "reverse");
        XTilde = xR;
        var logpR = g.BernoulliLogLik("log_p (reverse)", xR, logitsR, cfg.Bernoulli);
        var logqYR = g.ConcreteLogPdf("log_q_y (reverse)", net.Classifier(xR, "reverse"), YUnfeatured, tau);
        var reverse = new List<LossPart>
        {
            new(logpR, 1f, cfg.ReverseLogPGrad == ReverseLogPGrad.Full),
            new(logqYR, -1f),
        };
        LossPart[] logqZR = [];
        if (cfg.ReverseQz)
        {
            var ztR = g.FlowInverse("z_tilde (reverse)", ZUnfeatured, lo, hi);
            var (_, logdetR) = g.LogisticFlow("flow (reverse)", ztR, lo, hi, cfg.LogDet);
            var (muR, sigmaR) = net.Encoder(xR, YUnfeatured, "reverse");
            var logNR = g.GaussianLogPdf("log_n (reverse)", ztR, muR, sigmaR);
            reverse.Add(new(logNR, -1f));
            reverse.Add(new(logdetR, 1f));
            logqZR = [new(logNR, 1f), new(logdetR, -1f)];
        }
        // -log q(x~) (the uniform q's is the constant 784 log 2, dropped). It carries a gradient only through a
        // relaxed x~: with a hard sample the objective's value moves and its gradient does not.
        Tensor? logqXR = null;
        if (cfg.ReverseQx == ReverseQx.Marginal)
        {
            QxLogits = g.Input("q_x_logits", batchUnfeatured, P);
            logqXR = g.BernoulliLogLik("log_q_x (reverse)", xR, QxLogits, Kernels.BernoulliForm.Exact);
            reverse.Add(new(logqXR, -1f));
        }
        g.Loss(ReverseElbo, 0.1f, [.. reverse]);

        // 5. reconstruction distance of a decoder sample for the labelled pair (made after step 1).
        g.Loss(Reconstruct, 0.01f, new LossPart(distRec!, 1f));

        // The reverse ELBO's parts, logged only: reverse_elbo = log_p_x - log_q_y (- log_q_z under reverse_qz).
        g.Monitor(ReverseLogPx, new LossPart(logpR, 1f));
        g.Monitor(ReverseLogQy, new LossPart(logqYR, 1f));
        if (logqZR.Length > 0)
            g.Monitor(ReverseLogQz, logqZR);
        if (logqXR is not null)
            g.Monitor(ReverseLogQx, new LossPart(logqXR, 1f));
    }
}
