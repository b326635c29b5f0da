namespace Untapped.Checks;

public static partial class OpCases
{
    /// <summary>
    /// The logistic flow that bounds the latent code (forward with its log-determinant, backward, inverse). Test: both
    /// log-determinant forms, inputs to +-6 where the sigmoid saturates; model: one of each.
    /// </summary>
    static IEnumerable<OpCase> Flow(CaseSize s)
    {
        int m = s.M,
            z = s.Z,
            n = m * z;
        long mz = (long)n * F,
            mf = m * F;
        bool grad = s == CaseSize.Gradient;
        float t = grad ? 2 : 6;
        foreach (var form in s == CaseSize.Model ? new[] { LogDetForm.Exact } : Enum.GetValues<LogDetForm>())
        {
            yield return new(
                $"logistic_flow_{form}",
                nameof(Backend.LogisticFlow),
                r => OpCase.Buffers(("t", Gen.Uniform(r, n, -t, t)), ("z", new float[n]), ("ld", new float[m])),
                ["z", "ld"],
                (a, h) => a.LogisticFlow(h["t"], m, z, -1.5f, 1.5f, form, h["z"], h["ld"])
            )
            {
                Bytes = 2 * mz + mf,
                Gradient = new(["t"], (a, h) =>
                    a.LogisticFlowBackward(h["t"], h["g_z"], h["g_ld"], m, z, -1.5f, 1.5f, form, h["d_t"])
                ),
            };
        }

        if (grad)
            yield break;
        foreach (var form in s == CaseSize.Model ? new[] { LogDetForm.Original } : Enum.GetValues<LogDetForm>())
        {
            yield return new(
                $"logistic_flow_backward_{form}",
                nameof(Backend.LogisticFlowBackward),
                r =>
                    OpCase.Buffers(
                        ("t", Gen.Uniform(r, n, -6, 6)),
                        ("dz", Gen.Uniform(r, n)),
                        ("dl", Gen.Uniform(r, m)),
                        ("o", Gen.Uniform(r, n))
                    ),
                ["o"],
                (a, h) =>
                    a.LogisticFlowBackward(h["t"], h["dz"], h["dl"], m, z, -MathF.PI / 2, MathF.PI / 2, form, h["o"])
            )
            {
                Bytes = 3 * mz + mf,
            };
        }

        yield return new(
            "logistic_flow_inverse",
            nameof(Backend.LogisticFlowInverse),
            r => OpCase.Buffers(("z", Gen.Uniform(r, n, -1.6f, 1.6f)), ("t", new float[n])),
            ["t"],
            (a, h) => a.LogisticFlowInverse(h["z"], n, -1.5f, 1.5f, h["t"])
        )
        {
            Bytes = 2 * mz,
        };
    }
}
