using Untapped.Training.Data;
using Untapped.Training.Evaluation;
using Untapped.Training.Output;
using Xunit;

namespace Untapped.Training.Tests;

public sealed class DataTests
{
    [Fact]
    public void ReadsGzippedAndRawIdxAndBinarisesAt129()
    {
        var dir = TinyMnist.Folder(30, 10);
        var m = Mnist.Load(dir);
        Assert.Equal(40, m.Count);
        var raw = TinyMnist.Images(30, 1);
        for (int i = 0; i < 30 * 784; i++)
            Assert.Equal(raw[16 + i] >= 129 ? 1 : 0, m.Binary[i]);
        var floats = m.ImagesAsFloats(1, 2);
        for (int i = 0; i < 2 * 784; i++)
            Assert.Equal(raw[16 + 784 + i] >= 129 ? 1f : 0f, floats[i]);
        Assert.Equal((byte)7, m.Labels[37]);
    }

    [Fact]
    public void EmbeddedMnistHasTheStandardCounts()
    {
        var m = Mnist.Load(Mnist.DefaultFolder());
        Assert.Equal(70_000, m.Count);
        var d = new ExperimentData(m, 1);
        Assert.Equal(70_000, d.Labelled.Length + d.HeldOut.Length);
        Assert.InRange(d.Labelled.Length, 35_000, 36_500);
    }

    static string Corrupt(Func<string, string> mutate)
    {
        var dir = TinyMnist.Folder(30, 10);
        return mutate(dir);
    }

    public static TheoryData<string, string> Corruptions() =>
        new()
        {
            { "magic", "wrong IDX magic" },
            { "truncated", "truncated" },
            { "count", "holds 30 images but" },
            { "size", "expected 28x28" },
            { "gzip", "gzip" },
            { "missing", "file not found" },
        };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void BadFilesGiveOneClearErrorNamingTheFile(string kind, string expected)
    {
        var dir = TinyMnist.Folder(30, 10);
        string images = Path.Combine(dir, "train-images-idx3-ubyte.gz"),
            labels = Path.Combine(dir, "train-labels-idx1-ubyte.gz");
        string named = images;
        switch (kind)
        {
            case "magic":
            {
                var b = TinyMnist.Images(30, 1);
                b[3] = 0x01;
                File.WriteAllBytes(images, TinyMnist.Gzip(b));
                break;
            }
            case "truncated":
            {
                var b = TinyMnist.Images(30, 1);
                File.WriteAllBytes(images, TinyMnist.Gzip(b[..^100]));
                break;
            }
            case "count":
                File.WriteAllBytes(labels, TinyMnist.Gzip(TinyMnist.Labels(29)));
                break;
            case "size":
                File.WriteAllBytes(images, TinyMnist.Gzip(TinyMnist.Images(30, 1, side: 27)));
                break;
            case "gzip":
            {
                var b = File.ReadAllBytes(images);
                File.WriteAllBytes(images, b[..(b.Length / 2)]);
                break;
            }
            case "missing":
                File.Delete(labels);
                named = Path.Combine(dir, "train-labels-idx1-ubyte");
                break;
        }
        var e = Assert.Throws<DataFormatException>(() => Mnist.Load(dir));
        Assert.Contains(expected, e.Message);
        Assert.Contains(Path.GetFileName(named), e.Message);
    }

    [Fact]
    public void SplitFollowsTheSpec()
    {
        var m = Mnist.Load(TinyMnist.Folder(100, 20));
        var a = new ExperimentData(m, 7, 500);
        var b = new ExperimentData(m, 7, 500);
        var c = new ExperimentData(m, 8, 500);
        Assert.All(a.Labelled, i => Assert.InRange(m.Labels[i], 0, 4));
        Assert.All(a.HeldOut, i => Assert.InRange(m.Labels[i], 5, 9));
        Assert.Equal(120, a.Labelled.Length + a.HeldOut.Length);
        Assert.Equal(500, a.Unlabelled.Length);
        Assert.All(a.Unlabelled, i => Assert.InRange(i, 0, 119));
        Assert.True(a.Unlabelled.Distinct().Count() < 500, "drawn with replacement");
        Assert.Contains(a.Unlabelled, i => m.Labels[i] >= 5);
        Assert.Equal(a.Unlabelled, b.Unlabelled);
        Assert.NotEqual(a.Unlabelled, c.Unlabelled);
        var corner = ExperimentData.Corner(3);
        Assert.Equal(0.95f, corner[3]);
        Assert.Equal(1f, corner.Sum(), 5);
    }

    [Fact]
    public void PermutationGivesUniqueProposalsDirectly()
    {
        float[] p =
        [
            .1f,
            .7f,
            .2f, /**/
            .8f,
            .1f,
            .1f, /**/
            .2f,
            .2f,
            .6f,
        ];
        Assert.Equal(new[] { 1, 0, 2 }, Permutation.Assign(p, 3, 3));
    }

    [Fact]
    public void PermutationConflictGoesToTheMostProbableAndTheRestRecurse()
    {
        // Dims 0 and 1 both want class 0; dim 1 is surer, so dim 0 takes its best among {1, 2} -> 2.
        float[] p =
        [
            .5f,
            .1f,
            .4f, /**/
            .9f,
            .05f,
            .05f, /**/
            .1f,
            .8f,
            .1f,
        ];
        Assert.Equal(new[] { 2, 0, 1 }, Permutation.Assign(p, 3, 3));
        // Three-way conflict: winner first, then the other two contest again.
        float[] q =
        [
            .6f,
            .3f,
            .1f, /**/
            .7f,
            .2f,
            .1f, /**/
            .5f,
            .1f,
            .4f,
        ];
        Assert.Equal(new[] { 1, 0, 2 }, Permutation.Assign(q, 3, 3));
    }

    [Fact]
    public void PermutationTiesGoToTheLowerDim()
    {
        float[] p =
        [
            .5f,
            .5f, /**/
            .5f,
            .5f,
        ];
        Assert.Equal(new[] { 0, 1 }, Permutation.Assign(p, 2, 2));
    }

    [Fact]
    public void PngDecodesToWhatWasWritten()
    {
        var grey = new byte[7 * 5];
        for (int i = 0; i < grey.Length; i++)
            grey[i] = (byte)(i * 7);
        var png = ImageGrid.EncodePng(grey, 7, 5);
        var (w, h, pixels) = PngReader.Decode(png);
        Assert.Equal((7, 5), (w, h));
        Assert.Equal(grey, pixels);
    }
}

/// <summary>
/// Test-side PNG decoder for 8-bit greyscale, filter 0 images, checking signature and every chunk CRC.
/// </summary>
public static class PngReader
{
    /// <summary>
    /// CRC-32 of PNG (ISO 3309, reflected polynomial 0xEDB88320), bit by bit: independent of any table.
    /// </summary>
    static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    public static (int W, int H, byte[] Pixels) Decode(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        int pos = 8,
            w = 0,
            h = 0;
        using var idat = new MemoryStream();
        while (pos < png.Length)
        {
            int len = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            string type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            var body = png.AsSpan(pos + 8, len);
            uint crc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + len));
            Assert.Equal(Crc32(png.AsSpan(pos + 4, 4 + len)), crc);
            if (type == "IHDR")
            {
                w = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(body);
                h = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                Assert.Equal(8, body[8]);
                Assert.Equal(0, body[9]);
            }
            if (type == "IDAT")
                idat.Write(body);
            pos += 12 + len;
        }
        idat.Position = 0;
        using var z = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var rows = raw.ToArray();
        Assert.Equal(h * (w + 1), rows.Length);
        var px = new byte[w * h];
        for (int y = 0; y < h; y++)
        {
            Assert.Equal(0, rows[y * (w + 1)]);
            Array.Copy(rows, y * (w + 1) + 1, px, y * w, w);
        }
        return (w, h, px);
    }
}
