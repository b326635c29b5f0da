namespace Untapped.Checks;

public static partial class OpCases
{
    /// <summary>
    /// The GEMM with its fused bias and activation, and the activation's backward with the bias gradient. Test: every
    /// transpose and activation off the tiles, views at odd offsets; model: the step's three large shapes; gradient:
    /// a dense layer, whose backward is the activation backward and two GEMMs.
    /// </summary>
    static IEnumerable<OpCase> Dense(CaseSize s)
    {
        if (s == CaseSize.Model)
        {
            foreach (var (m, k, n, ta, tb, act) in ModelGemms)
            {
                yield return new(
                    $"gemm_{T(ta)}{T(tb)}_{act} {m}x{k}x{n}",
                    nameof(Backend.Gemm),
                    r =>
                        OpCase.Buffers(
                            ("a", Gen.Uniform(r, m * k, -0.5f, 0.5f)),
                            ("b", Gen.Uniform(r, k * n, -0.5f, 0.5f)),
                            ("bias", Gen.Uniform(r, n, -0.5f, 0.5f)),
                            ("c", new float[m * n])
                        ),
                    ["c"],
                    (a, h) => a.Gemm(h["a"], h["b"], h["bias"], m, k, n, ta, tb, act, false, h["c"])
                )
                {
                    Bytes = F * ((long)m * k + (long)k * n + (long)m * n),
                };
            }

            const int w = 500;
            yield return new(
                "act_bias_backward_tanh",
                nameof(Backend.ActBiasBackward),
                r =>
                    OpCase.Buffers(
                        ("y", Gen.Uniform(r, s.M * w, -0.9f, 0.9f)),
                        ("dy", Gen.Uniform(r, s.M * w)),
                        ("dz", new float[s.M * w]),
                        ("db", new float[w])
                    ),
                ["dz"],
                (a, h) =>
                {
                    a.Fill(w, 0f, h["db"]);
                    a.ActBiasBackward(h["y"], h["dy"], s.M, w, Activation.Tanh, h["dz"], h["db"]);
                }
            )
            {
                Bytes = 3L * s.M * w * F,
            };
            yield return new(
                "act_bias_backward_none",
                nameof(Backend.ActBiasBackward),
                r =>
                    OpCase.Buffers(
                        ("y", Gen.Uniform(r, s.M * w)),
                        ("dy", Gen.Uniform(r, s.M * w)),
                        ("db", new float[w])
                    ),
                ["db"],
                (a, h) =>
                {
                    a.Fill(w, 0f, h["db"]);
                    a.ActBiasBackward(h["y"], h["dy"], s.M, w, Activation.None, h["dy"], h["db"]);
                }
            )
            {
                Bytes = s.M * w * F,
            };
            // The reverse stream's decoder output gradient under `--unfeatured-z fixed`, folded onto its ten rows.
            yield return new(
                "fold_rows_in_place",
                nameof(Backend.FoldRows),
                r => OpCase.Buffers(("x", Gen.Uniform(r, s.M * CaseSize.Model.D))),
                ["x"],
                (a, h) => a.FoldRows(h["x"], s.M, CaseSize.Model.D, 10, h["x"].Slice(0, 10 * CaseSize.Model.D))
            )
            {
                Bytes = (long)s.M * CaseSize.Model.D * F,
            };
            yield break;
        }
        if (s == CaseSize.Gradient)
        {
            foreach (var act in Enum.GetValues<Activation>())
            {
                const int m = 4,
                    k = 5,
                    n = 3;
                yield return new(
                    $"dense_{act}",
                    nameof(Backend.Gemm),
                    r =>
                        OpCase.Buffers(
                            ("x", Gen.Uniform(r, m * k)),
                            ("w", Gen.Uniform(r, k * n)),
                            ("b", Gen.Uniform(r, n)),
                            ("y", new float[m * n]),
                            ("dz", new float[m * n])
                        ),
                    ["y"],
                    (a, h) => a.Gemm(h["x"], h["w"], h["b"], m, k, n, false, false, act, false, h["y"])
                )
                {
                    Gradient = new(["x", "w", "b"], (a, h) =>
                    {
                        a.ActBiasBackward(h["y"], h["g_y"], m, n, act, h["dz"], h["d_b"]);
                        a.Gemm(h["x"], h["dz"], default, k, m, n, true, false, Activation.None, true, h["d_w"]);
                        a.Gemm(h["dz"], h["w"], default, m, n, k, false, true, Activation.None, true, h["d_x"]);
                    }),
                };
            }
            yield break;
        }
        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            foreach (var act in Enum.GetValues<Activation>())
            {
                const int m = 70,
                    k = 37,
                    n = 66;
                yield return new(
                    $"gemm_{T(ta)}{T(tb)}_{act}",
                    nameof(Backend.Gemm),
                    r =>
                        OpCase.Buffers(
                            ("a", Gen.Uniform(r, m * k)),
                            ("b", Gen.Uniform(r, k * n)),
                            ("bias", Gen.Uniform(r, n)),
                            ("c", Gen.Uniform(r, m * n))
                        ),
                    ["c"],
                    (a, h) =>
                        a.Gemm(
                            h["a"],
                            h["b"],
                            h["bias"],
                            m,
                            k,
                            n,
                            ta,
                            tb,
                            act,
                            accumulate: act == Activation.Softplus,
                            h["c"]
                        )
                );
            }
        }
        // Views at odd offsets of larger buffers, the way the flat parameter arena is used; K spans several slabs.
        yield return new(
            "gemm_views_deep_k",
            nameof(Backend.Gemm),
            r =>
                OpCase.Buffers(
                    ("a", Gen.Uniform(r, 5 + 130 * 300)),
                    ("b", Gen.Uniform(r, 3 + 300 * 77)),
                    ("c", Gen.Uniform(r, 11 + 130 * 77))
                ),
            ["c"],
            (a, h) =>
                a.Gemm(
                    h["a"].Slice(5, 130 * 300),
                    h["b"].Slice(3, 300 * 77),
                    default,
                    130,
                    300,
                    77,
                    false,
                    false,
                    Activation.None,
                    false,
                    h["c"].Slice(11, 130 * 77)
                )
        );

        // 301 rows span three CPU row blocks and 37 columns two device column groups; db accumulates onto its old
        // value. 7 columns take the CPU's narrow column-sum path.
        foreach (var act in Enum.GetValues<Activation>())
        {
            foreach (bool inPlace in new[] { false, true })
            {
                foreach (int n in new[] { 37, 7 })
                {
                    const int m = 301;
                    yield return new(
                        $"act_bias_backward_{act}{(inPlace ? "_in_place" : "")}{(n == 37 ? "" : $"_n{n}")}",
                        nameof(Backend.ActBiasBackward),
                        r =>
                            OpCase.Buffers(
                                ("y", Gen.Uniform(r, m * n, act == Activation.Softplus ? 0.01f : -0.99f, 0.99f)),
                                ("dy", Gen.Uniform(r, m * n)),
                                ("dz", new float[m * n]),
                                ("db", Gen.Uniform(r, n))
                            ),
                        inPlace ? ["dy", "db"] : ["dz", "db"],
                        (a, h) => a.ActBiasBackward(h["y"], h["dy"], m, n, act, inPlace ? h["dy"] : h["dz"], h["db"])
                    );
                }
            }
        }

        // dZ alone (db empty), in place on 200 rows from row 3 of a 301-row buffer: what the epilogue of the GEMM that
        // finishes dY runs on a block of rows; the rows outside the block keep their values.
        foreach (var act in Enum.GetValues<Activation>())
        {
            const int m = 301,
                n = 37,
                r0 = 3,
                rows = 200;
            yield return new(
                $"act_backward_{act}_rows",
                nameof(Backend.ActBiasBackward),
                r =>
                    OpCase.Buffers(
                        ("y", Gen.Uniform(r, m * n, act == Activation.Softplus ? 0.01f : -0.99f, 0.99f)),
                        ("dy", Gen.Uniform(r, m * n))
                    ),
                ["dy"],
                (a, h) =>
                {
                    var dy = h["dy"].Slice(r0 * n, rows * n);
                    a.ActBiasBackward(h["y"].Slice(r0 * n, rows * n), dy, rows, n, act, dy, default);
                }
            );
        }

        // 301 rows (not a whole number of periods), 37 columns (two device warps and a tail); into a separate output and
        // in place onto x's first rows; the edge periods 1 (a column sum) and m (a copy).
        foreach (var (p, inPlace) in new[] { (10, false), (10, true), (1, false), (301, false) })
        {
            const int m = 301,
                n = 37;
            yield return new(
                $"fold_rows_p{p}{(inPlace ? "_in_place" : "")}",
                nameof(Backend.FoldRows),
                r => OpCase.Buffers(("x", Gen.Uniform(r, m * n)), ("y", Gen.Uniform(r, p * n))),
                [inPlace ? "x" : "y"],
                (a, h) => a.FoldRows(h["x"], m, n, p, inPlace ? h["x"].Slice(0, p * n) : h["y"])
            );
        }
    }

    static char T(bool transposed) => transposed ? 't' : 'n';

    /// <summary>
    /// The step's large GEMMs: encoder forward, the decoder's hidden layer, a weight gradient over the batch.
    /// </summary>
    static readonly (int M, int K, int N, bool Ta, bool Tb, Activation Act)[] ModelGemms =
    [
        (CaseSize.Model.M, 500, CaseSize.Model.D, false, false, Activation.None),
        (CaseSize.Model.M, CaseSize.Model.D, 500, false, true, Activation.Tanh),
        (500, CaseSize.Model.M, CaseSize.Model.D, true, false, Activation.None),
    ];
}
