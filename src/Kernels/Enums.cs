namespace Untapped.Kernels;

/// <summary>Activation applied in the dense epilogue.</summary>
public enum Activation
{
    None = 0,
    Tanh = 1,
    Sigmoid = 2,
    Softplus = 3,
}

/// <summary>
/// Bernoulli log-likelihood form (docs/model.md §3): clipped mean (authors' code) or exact softplus form.
/// </summary>
public enum BernoulliForm
{
    Original = 0,
    Exact = 1,
}

/// <summary>
/// Logistic-flow log-determinant (docs/model.md §3): log(1e-5 + prod) (authors' code) or exact sum of log-sigmoids.
/// </summary>
public enum LogDetForm
{
    Original = 0,
    Exact = 1,
}

/// <summary>
/// Kind of compute backend: the vectorised managed CPU backend, or ILGPU over one of its accelerators (CUDA through the
/// driver alone, OpenCL, or ILGPU's CPU accelerator, which runs the device kernels on CPU threads).
/// </summary>
public enum BackendKind
{
    Cpu,
    Cuda,
    OpenCl,
    IlgpuCpu,
}
