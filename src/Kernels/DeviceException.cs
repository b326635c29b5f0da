namespace Untapped.Kernels;

/// <summary>A failure reported by a device backend: names the kernel (when there is one) and carries the backend's own message.</summary>
public sealed class DeviceException(string message, Exception? inner = null) : Exception(message, inner);
