namespace Untapped.Kernels;

/// <summary>Activation applied in the dense epilogue. Values match the ACT_* constants of prelude.h.</summary>
public enum Activation { None = 0, Tanh = 1, Sigmoid = 2, Softplus = 3 }

/// <summary>Bernoulli log-likelihood form (SPEC 3): clipped mean (authors' code) or exact softplus form.</summary>
public enum BernoulliForm { Original = 0, Exact = 1 }

/// <summary>Logistic-flow log-determinant (SPEC 3): log(1e-5 + prod) (authors' code) or exact sum of log-sigmoids.</summary>
public enum LogDetForm { Original = 0, Exact = 1 }

/// <summary>Kind of compute backend.</summary>
public enum AcceleratorKind { Cpu, OpenCl, Cuda }
