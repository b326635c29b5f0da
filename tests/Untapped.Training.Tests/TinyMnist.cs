using System.Buffers.Binary;
using System.IO.Compression;

namespace Untapped.Training.Tests;

/// <summary>Writes small, valid MNIST-format folders for tests: random strokes with labels cycling 0-9.</summary>
public static class TinyMnist
{
    public static byte[] Images(int n, int seed, int side = 28)
    {
        var r = new Random(seed);
        var b = new byte[16 + n * side * side];
        BinaryPrimitives.WriteUInt32BigEndian(b, 0x00000803);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), (uint)n);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), (uint)side);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), (uint)side);
        for (int i = 16; i < b.Length; i++)
            b[i] = (byte)(r.Next(4) == 0 ? r.Next(129, 256) : r.Next(0, 129));
        return b;
    }

    public static byte[] Labels(int n)
    {
        var b = new byte[8 + n];
        BinaryPrimitives.WriteUInt32BigEndian(b, 0x00000801);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), (uint)n);
        for (int i = 0; i < n; i++)
            b[8 + i] = (byte)(i % 10);
        return b;
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>A folder with train (nTrain) and t10k (nTest) files; training files gzipped, test files raw.</summary>
    public static string Folder(int nTrain = 160, int nTest = 40)
    {
        var dir = Path.Combine(Path.GetTempPath(), "untapped-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "train-images-idx3-ubyte.gz"), Gzip(Images(nTrain, 1)));
        File.WriteAllBytes(Path.Combine(dir, "train-labels-idx1-ubyte.gz"), Gzip(Labels(nTrain)));
        File.WriteAllBytes(Path.Combine(dir, "t10k-images-idx3-ubyte"), Images(nTest, 2));
        File.WriteAllBytes(Path.Combine(dir, "t10k-labels-idx1-ubyte"), Labels(nTest));
        return dir;
    }
}
