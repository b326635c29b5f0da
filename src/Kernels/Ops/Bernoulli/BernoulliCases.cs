namespace Untapped.Checks;

public static partial class OpCases
{
    /// <summary>
    /// The decoder's Bernoulli likelihood, its sample (hard and relaxed) and their backwards. Test: every form, logits
    /// to +-14 (the clipped form's clip); model: the step's variants over 10,000 x 784; gradient: both forms and the
    /// relaxed sample, inputs inside (0, 1) so that central differences see a smooth function.
    /// </summary>
    static IEnumerable<OpCase> Bernoulli(CaseSize s)
    {
        int m = s.M,
            d = s.D,
            n = s == CaseSize.Test ? 5000 : m * d;
        long md = (long)m * d * F;
        bool grad = s == CaseSize.Gradient;
        BernoulliForm[] forms = s == CaseSize.Model ? [BernoulliForm.Exact] : Enum.GetValues<BernoulliForm>();
        foreach (var form in forms)
        {
            float lim =
                grad ? 6
                : s == CaseSize.Model ? 5
                : 14;
            yield return new(
                $"bernoulli_loglik_{form}",
                nameof(Backend.BernoulliLogLik),
                r =>
                    OpCase.Buffers(
                        ("x", grad ? Gen.Uniform(r, m * d, 0.05f, 0.95f) : Gen.Bits(r, m * d)),
                        ("l", Gen.Uniform(r, m * d, -lim, lim)),
                        ("o", new float[m])
                    ),
                ["o"],
                (a, h) => a.BernoulliLogLik(h["x"], h["l"], m, d, form, h["o"])
            )
            {
                Bytes = 2 * md,
                Gradient = new(["x", "l"], (a, h) =>
                    a.BernoulliLogLikBackward(h["x"], h["l"], h["g_o"], m, d, form, true, h["d_l"], h["d_x"])
                ),
            };
            if (grad)
                continue;
            if (s == CaseSize.Test)
            {
                // With both gradients, and with the logits as data (the reverse ELBO's q(x)): no dlogits, only dx.
                foreach (bool dl in new[] { true, false })
                {
                    string[] outputs = dl ? ["dl", "dx"] : ["dx"];
                    yield return new(
                        dl ? $"bernoulli_loglik_backward_{form}" : $"bernoulli_loglik_backward_dx_only_{form}",
                        nameof(Backend.BernoulliLogLikBackward),
                        r =>
                            OpCase.Buffers([
                                ("x", Gen.Uniform(r, m * d, 0, 1)),
                                ("l", Gen.Uniform(r, m * d, -14, 14)),
                                ("g", Gen.Uniform(r, m)),
                                .. dl ? [("dl", Gen.Uniform(r, m * d))] : Array.Empty<(string, float[])>(),
                                ("dx", Gen.Uniform(r, m * d)),
                            ]),
                        outputs,
                        (a, h) =>
                            a.BernoulliLogLikBackward(
                                h["x"],
                                h["l"],
                                h["g"],
                                m,
                                d,
                                form,
                                true,
                                dl ? h["dl"] : default,
                                h["dx"]
                            )
                    );
                }
            }
        }
        if (grad)
        {
            yield return new(
                "bernoulli_sample_relaxed",
                nameof(Backend.BernoulliSample),
                r =>
                    OpCase.Buffers(
                        ("l", Gen.Uniform(r, n, -2, 2)),
                        ("u", Gen.Uniform(r, n, 0.05f, 0.95f)),
                        ("o", new float[n])
                    ),
                ["o"],
                (a, h) => a.BernoulliSample(h["l"], h["u"], n, 0.7f, true, BernoulliForm.Exact, h["o"])
            )
            {
                Gradient = new(["l"], (a, h) => a.BernoulliSampleBackward(h["o"], h["g_o"], n, 0.7f, true, h["d_l"])),
            };
            yield break;
        }
        foreach (var c in Periodic(s))
            yield return c;
        // Overwriting, as in the step (x is data, no dx): the old dlogits are NaN and must not leak into the result.
        foreach (var form in s == CaseSize.Model ? new[] { BernoulliForm.Original } : Enum.GetValues<BernoulliForm>())
        {
            yield return new(
                $"bernoulli_loglik_backward_overwrite_{form}",
                nameof(Backend.BernoulliLogLikBackward),
                r =>
                    OpCase.Buffers(
                        ("x", Gen.Uniform(r, m * d, 0, 1)),
                        ("l", Gen.Uniform(r, m * d, -14, 14)),
                        ("g", Gen.Uniform(r, m)),
                        ("dl", Enumerable.Repeat(float.NaN, m * d).ToArray())
                    ),
                ["dl"],
                (a, h) => a.BernoulliLogLikBackward(h["x"], h["l"], h["g"], m, d, form, false, h["dl"], default)
            )
            {
                Bytes = 3 * md,
            };
            // Both in one pass, as the labelled and unlabelled decoders' epilogues run them (dlogits overwritten).
            yield return new(
                $"bernoulli_loglik_and_grad_{form}",
                nameof(Backend.BernoulliLogLikAndGrad),
                r =>
                    OpCase.Buffers(
                        ("x", s == CaseSize.Model ? Gen.Bits(r, m * d) : Gen.Uniform(r, m * d, 0, 1)),
                        (
                            "l",
                            s == CaseSize.Model
                                ? Gen.Uniform(r, m * d, -5, 5)
                                : WithLogitEdges(Gen.Uniform(r, m * d, -16, 16))
                        ),
                        ("g", Gen.Uniform(r, m)),
                        ("o", new float[m]),
                        ("dl", Enumerable.Repeat(float.NaN, m * d).ToArray())
                    ),
                ["o", "dl"],
                (a, h) => a.BernoulliLogLikAndGrad(h["x"], h["l"], h["g"], m, d, form, h["o"], h["dl"])
            )
            {
                Bytes = 3 * md,
            };
        }

        foreach (
            var (kind, relaxed, tau, form) in new[]
            {
                ("hard", false, 1f, BernoulliForm.Original),
                ("relaxed", true, 0.7f, BernoulliForm.Exact),
            }
        )
        {
            yield return new(
                $"bernoulli_sample_{kind}",
                nameof(Backend.BernoulliSample),
                r =>
                    OpCase.Buffers(
                        ("l", Gen.Uniform(r, n, -4, 4)),
                        ("u", Gen.Uniform(r, n, 0.001f, 0.999f)),
                        ("o", new float[n])
                    ),
                ["o"],
                (a, h) => a.BernoulliSample(h["l"], h["u"], n, tau, relaxed, form, h["o"])
            )
            {
                Bytes = 3L * n * F,
            };
        }
        // Adding (the reverse stream's logits, written first by their log-likelihood) and overwriting (the labelled
        // logits, whose first gradient is this one): the old contents NaN, which must not leak into the result.
        foreach (bool add in new[] { true, false })
        {
            yield return new(
                add ? "bernoulli_sample_backward" : "bernoulli_sample_backward_overwrite",
                nameof(Backend.BernoulliSampleBackward),
                r =>
                    OpCase.Buffers(
                        ("x", Gen.Uniform(r, n, 0, 1)),
                        ("d", Gen.Uniform(r, n)),
                        ("o", add ? Gen.Uniform(r, n) : Enumerable.Repeat(float.NaN, n).ToArray())
                    ),
                ["o"],
                (a, h) => a.BernoulliSampleBackward(h["x"], h["d"], n, 0.7f, add, h["o"])
            )
            {
                Bytes = 3L * n * F,
            };
        }
    }

    // Each form's edges (the clip exactly and just inside it, past it, infinities, NaN, signed zeros, a subnormal),
    // spread through the logits.
    static float[] WithLogitEdges(float[] logits)
    {
        float[] edges =
        [
            float.NaN,
            float.PositiveInfinity,
            float.NegativeInfinity,
            KernelConstants.BernLogitClip,
            -KernelConstants.BernLogitClip,
            BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(KernelConstants.BernLogitClip) - 1),
            0f,
            -0f,
            1e30f,
            -1e30f,
            float.Epsilon,
            100f,
            -100f,
        ];
        for (int i = 0; i < edges.Length; i++)
            logits[i * 97 % logits.Length] = edges[i];
        return logits;
    }

    /// <summary>
    /// The fixed-z decoder's periodic logits (the kernels' period promise): the managed CPU computes their functions
    /// once per distinct row from tables, a device kernel per element; both must give the same bits. Test: a period of
    /// 5 rows over 37 (a ragged last period) holding each form's edges (the clip exactly, past it, infinities, NaN,
    /// signed zeros, a subnormal), x in [0, 1] (the tables serve any x); model: the step's 10-periodic logits and hard
    /// x~.
    /// </summary>
    static IEnumerable<OpCase> Periodic(CaseSize s)
    {
        int m = s.M,
            d = s.D,
            p = s == CaseSize.Model ? 10 : 5;
        bool test = s == CaseSize.Test;
        long md = (long)m * d * F;
        float[] Logits(Random r)
        {
            var first = Gen.Uniform(r, p * d, -16, 16);
            if (test)
                WithLogitEdges(first);
            return Gen.Tiled(first, m * d);
        }
        float[] X(Random r) => test ? Gen.Uniform(r, m * d, 0, 1) : Gen.Bits(r, m * d);
        // A backward's inputs: x, the logits, g, and the old dlogits (random to add into, NaN to overwrite).
        (string, float[])[] Backward(Random r, bool add, int dl) =>
            [
                ("x", X(r)),
                ("l", Logits(r)),
                ("g", Gen.Uniform(r, m)),
                ("dl", add ? Gen.Uniform(r, dl) : Enumerable.Repeat(float.NaN, dl).ToArray()),
            ];
        foreach (var form in test ? Enum.GetValues<BernoulliForm>() : [BernoulliForm.Original])
        {
            yield return new(
                $"bernoulli_loglik_periodic_{form}",
                nameof(Backend.BernoulliLogLik),
                r => OpCase.Buffers(("x", X(r)), ("l", Logits(r)), ("o", new float[m])),
                ["o"],
                (a, h) => a.BernoulliLogLik(h["x"], h["l"], m, d, form, h["o"], p)
            )
            {
                Bytes = 2 * md,
            };
            // The step's reverse stream overwrites dlogits with no dx (x~ is not a leaf); test adds into both as well.
            foreach (bool add in test ? new[] { true, false } : [false])
            {
                yield return new(
                    $"bernoulli_loglik_backward_periodic_{(add ? "add" : "overwrite")}_{form}",
                    nameof(Backend.BernoulliLogLikBackward),
                    r => OpCase.Buffers([.. Backward(r, add, m * d), ("dx", Gen.Uniform(r, m * d))]),
                    add ? ["dl", "dx"] : ["dl"],
                    (a, h) =>
                        a.BernoulliLogLikBackward(
                            h["x"],
                            h["l"],
                            h["g"],
                            m,
                            d,
                            form,
                            add,
                            h["dl"],
                            add ? h["dx"] : default,
                            p
                        )
                )
                {
                    Bytes = 3 * md,
                };
            }
            // The fixed-z decoder's gradient folded onto the period as it is made: overwriting in the step.
            foreach (bool add in test ? new[] { true, false } : [false])
            {
                yield return new(
                    $"bernoulli_loglik_backward_folded_{(add ? "add" : "overwrite")}_{form}",
                    nameof(Backend.BernoulliLogLikBackwardFolded),
                    r => OpCase.Buffers(Backward(r, add, p * d)),
                    ["dl"],
                    (a, h) => a.BernoulliLogLikBackwardFolded(h["x"], h["l"], h["g"], m, d, form, p, add, h["dl"])
                )
                {
                    Bytes = md,
                };
            }
            yield return new(
                $"bernoulli_sample_hard_periodic_{form}",
                nameof(Backend.BernoulliSample),
                r =>
                    OpCase.Buffers(
                        ("l", Logits(r)),
                        ("u", Gen.Uniform(r, m * d, 0.001f, 0.999f)),
                        ("o", new float[m * d])
                    ),
                ["o"],
                (a, h) => a.BernoulliSample(h["l"], h["u"], m * d, 1f, false, form, h["o"], p * d)
            )
            {
                Bytes = 3 * md,
            };
        }
    }
}
