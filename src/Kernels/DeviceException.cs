namespace Untapped.Kernels;

/// <summary>
/// A failure of a backend that is present: a kernel that does not compile or faults, a driver error, a failed
/// allocation or copy. Names the kernel (when there is one) and carries the backend's own message. A run that meets one
/// has failed (exit 1); a backend that is absent or refused is a <see cref="BackendUnavailableException"/> instead.
/// </summary>
public sealed class DeviceException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A backend that is not there: unknown by name, no device of its kind, or every device refused (exit 2).
/// </summary>
public sealed class BackendUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
