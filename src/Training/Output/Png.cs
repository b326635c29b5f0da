using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Untapped.Training.Output;

/// <summary>Minimal PNG writer: 8-bit greyscale, filter 0 on every row, zlib via <see cref="ZLibStream"/>.</summary>
public static class Png
{
    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    public static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0)
    {
        crc ^= 0xFFFFFFFFu;
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    /// <summary>Encodes [height, width] grey levels (0 black .. 255 white).</summary>
    public static byte[] Encode(byte[] grey, int width, int height)
    {
        if (width < 1 || height < 1 || grey.Length != width * height) throw new ArgumentException($"a {width}x{height} image needs {width * height} pixels, got {grey.Length}");
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < height; y++) { z.WriteByte(0); z.Write(grey, y * width, width); }
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth; colour type 0 (grey), compression 0, filter 0, interlace 0
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        s.Write(len);
        var t = Encoding.ASCII.GetBytes(type);
        s.Write(t);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(len, Crc32(data, Crc32(t)));
        s.Write(len);
    }

    /// <summary>Writes atomically (temporary file, then rename).</summary>
    public static void Write(string path, byte[] grey, int width, int height) => AtomicFile.Write(path, Encode(grey, width, height));
}

/// <summary>Lays out 28x28 images (values in [0,1], 1 = ink) as a grid with a 2-pixel white border, ink drawn black.</summary>
public static class ImageGrid
{
    public const int Side = 28, Gap = 2;

    public static (byte[] Grey, int Width, int Height) Compose(IReadOnlyList<float[]> tiles, int columns)
    {
        int rows = (tiles.Count + columns - 1) / columns;
        int w = columns * (Side + Gap) + Gap, h = rows * (Side + Gap) + Gap;
        var grey = Enumerable.Repeat((byte)255, w * h).ToArray();
        for (int t = 0; t < tiles.Count; t++)
        {
            int ox = Gap + t % columns * (Side + Gap), oy = Gap + t / columns * (Side + Gap);
            for (int y = 0; y < Side; y++)
                for (int x = 0; x < Side; x++)
                    grey[(oy + y) * w + ox + x] = (byte)Math.Round(255 * (1 - Math.Clamp(tiles[t][y * Side + x], 0f, 1f)));
        }
        return (grey, w, h);
    }

    public static void Write(string path, IReadOnlyList<float[]> tiles, int columns)
    {
        var (g, w, h) = Compose(tiles, columns);
        Png.Write(path, g, w, h);
    }
}

/// <summary>Write-then-rename, so a reader never sees a half-written file and a crash never loses the previous one.</summary>
public static class AtomicFile
{
    public static void Write(string path, byte[] data)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(data);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, full, overwrite: true);
    }

    public static void WriteText(string path, string text) => Write(path, Encoding.UTF8.GetBytes(text));
}
