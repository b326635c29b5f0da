namespace Untapped.Graph;

/// <summary>A safetensors file could not be read: the message names the file and the problem.</summary>
public sealed class SafetensorsException(string message) : Exception(message);
