using static Untapped.Kernels.KernelConstants;

namespace Untapped.Kernels.Cpu;

// Twin of Device/DeviceGaussian.cs.
public sealed partial class CpuBackend
{
    protected override void GaussianSampleCore(View mu, View sigma, View eps, int n, View zt)
    {
        Mem MU = A(mu),
            SG = A(sigma),
            EP = A(eps),
            Z = A(zt);
        Chunks(n, 1 << 15, (s, e) =>
        {
            for (int i = s; i < e; i++)
                Z[i] = MU[i] + SG[i] * EP[i];
        });
    }

    protected override void GaussianSampleBackwardCore(View eps, View dzt, int n, View dmu, View dsigma)
    {
        Mem EP = A(eps),
            DZ = A(dzt),
            DM = A(dmu),
            DS = A(dsigma);
        Chunks(n, 1 << 15, (s, e) =>
        {
            for (int i = s; i < e; i++)
            {
                DM[i] += DZ[i];
                DS[i] += DZ[i] * EP[i];
            }
        });
    }

    protected override void GaussianLogPdfCore(View zt, View mu, View sigma, int m, int d, View logN)
    {
        Mem Z = A(zt),
            MU = A(mu),
            SG = A(sigma),
            O = A(logN);
        Chunks(m, Grain(d * 16), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                float acc = 0f;
                for (int i = r * d; i < (r + 1) * d; i++)
                {
                    float sd = SG[i] + SigmaEps,
                        q = (Z[i] - MU[i]) / sd;
                    acc += -0.5f * q * q - MathF.Log(sd) - LogTwoPiHalf;
                }
                O[r] = acc;
            }
        });
    }

    protected override void GaussianLogPdfBackwardCore(
        View zt,
        View mu,
        View sigma,
        View g,
        int m,
        int d,
        View dzt,
        View dmu,
        View dsigma
    )
    {
        Mem Z = A(zt),
            MU = A(mu),
            SG = A(sigma),
            G = A(g),
            DZ = A(dzt),
            DM = A(dmu),
            DS = A(dsigma);
        bool hasDz = !dzt.IsEmpty;
        Chunks(m, Grain(d * 16), (s, e) =>
        {
            for (int r = s; r < e; r++)
            {
                for (int i = r * d; i < (r + 1) * d; i++)
                {
                    float gr = G[r],
                        sd = SG[i] + SigmaEps,
                        q = (Z[i] - MU[i]) / sd;
                    if (hasDz)
                        DZ[i] += -gr * q / sd;
                    DM[i] += gr * q / sd;
                    DS[i] += gr * (q * q - 1f) / sd;
                }
            }
        });
    }
}
