using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Untapped.Kernels;

/// <summary>The device kernels (Device/*.cl and prelude.h), embedded in this assembly.</summary>
public static class KernelSource
{
    const string Prefix = "Untapped.Kernels.Device.";
    const string Include = "#include \"prelude.h\"";

    static string Read(string name)
    {
        using var s = typeof(KernelSource).Assembly.GetManifestResourceStream(Prefix + name)
            ?? throw new InvalidOperationException($"embedded kernel source '{name}' is missing from the build");
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }

    public static string Prelude => Read("prelude.h");

    /// <summary>Names of the .cl files, sorted.</summary>
    public static IReadOnlyList<string> Files { get; } = typeof(KernelSource).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".cl", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..]).Order(StringComparer.Ordinal).ToArray();

    /// <summary>One .cl file made self-contained: its #include of the prelude replaced by the prelude's text.</summary>
    public static string Standalone(string file) => Prelude + "\n" + Read(file).Replace(Include, "", StringComparison.Ordinal);

    /// <summary>The whole catalogue as one program: the prelude once, then every .cl file.</summary>
    public static string Program()
    {
        var sb = new StringBuilder(Prelude).Append('\n');
        foreach (var f in Files) sb.Append("// ---- ").Append(f).Append('\n').Append(Read(f).Replace(Include, "", StringComparison.Ordinal)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Hex SHA-256 over the given parts, for on-disk caches of compiled binaries.</summary>
    public static string Hash(params string[] parts)
    {
        var h = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u0001", parts)));
        return Convert.ToHexStringLower(h);
    }
}

/// <summary>On-disk cache of compiled kernel binaries, keyed by a hash of source, options and device.</summary>
public static class KernelCache
{
    /// <summary>$UNTAPPED_KERNEL_CACHE, else ~/.cache/untapped/kernels.</summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable("UNTAPPED_KERNEL_CACHE") is { Length: > 0 } d ? d
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "untapped", "kernels");

    public static byte[]? TryLoad(string key)
    {
        try
        {
            var p = Path.Combine(Directory, key);
            return File.Exists(p) ? File.ReadAllBytes(p) : null;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Writes atomically (temp file + rename); a cache that cannot be written is not an error.</summary>
    public static void TryStore(string key, byte[] data)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var p = Path.Combine(Directory, key);
            var tmp = p + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(tmp, data);
            File.Move(tmp, p, overwrite: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
