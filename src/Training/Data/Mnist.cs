using Untapped.Graph;

namespace Untapped.Training.Data;

/// <summary>MNIST pooled (train then test), binarised: pixel &gt;= 129 becomes 1 (docs/model.md §1).</summary>
public sealed class Mnist
{
    public const int Side = 28,
        Pixels = Side * Side,
        Classes = 10,
        BinariseAt = 129;

    public Mnist(byte[] binary, byte[] labels)
    {
        if (binary.Length != labels.Length * Pixels)
        {
            throw new ArgumentException(
                $"{labels.Length} labels need {labels.Length * Pixels} pixels, got {binary.Length}"
            );
        }

        Binary = binary;
        Labels = labels;
    }

    /// <summary>
    /// [Count, 784] binarised pixels, 0 or 1, row-major: a byte each (55 MB for the 70,000 images, not the 219 MB of
    /// floats; the model reads them as floats through <see cref="CopyImage"/>).
    /// </summary>
    public byte[] Binary { get; }
    public byte[] Labels { get; }
    public int Count => Labels.Length;

    /// <summary>Image i's 784 pixels, 0 or 1.</summary>
    public ReadOnlySpan<byte> Image(int i) => Binary.AsSpan(i * Pixels, Pixels);

    /// <summary>Image i as floats (0f or 1f) into the first 784 elements of <paramref name="destination"/>.</summary>
    public void CopyImage(int i, Span<float> destination) => CopyImages(i, 1, destination);

    /// <summary>Images [first, first + count) as floats, row-major, into <paramref name="destination"/>.</summary>
    public void CopyImages(int first, int count, Span<float> destination)
    {
        var src = Binary.AsSpan(first * Pixels, count * Pixels);
        var dst = destination[..src.Length];
        for (int j = 0; j < src.Length; j++)
            dst[j] = src[j];
    }

    /// <summary>
    /// Rows of images picked by <paramref name="imageOfRow"/> (row -> pool index), written as floats a slab at a time:
    /// an input's rows without a gathered float copy (Executor.SetInput, Inference.Rows).
    /// </summary>
    public RowWriter ImageRows(Func<int, int> imageOfRow) =>
        (first, count, d) =>
        {
            for (int j = 0; j < count; j++)
                CopyImage(imageOfRow(first + j), d.Slice(j * Pixels));
        };

    /// <summary>Images [first, first + count) as a new float array.</summary>
    public float[] ImagesAsFloats(int first, int count)
    {
        var x = new float[count * Pixels];
        CopyImages(first, count, x);
        return x;
    }

    static readonly string[] Parts =
    [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ];

    /// <summary>The folder holding the four standard files, gzipped (.gz) or not.</summary>
    public static Mnist Load(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DataFormatException($"{folder}: data folder not found");
        string Find(string stem)
        {
            foreach (var name in new[] { stem + ".gz", stem })
            {
                if (File.Exists(Path.Combine(folder, name)))
                    return Path.Combine(folder, name);
            }

            throw new DataFormatException($"{Path.Combine(folder, stem)}[.gz]: file not found");
        }
        // Each part read into its own array and binarised into the one pool array: no growing list, whose doublings
        // and float copy left several times the data's size committed to the process.
        var images = new byte[2][];
        var labels = new byte[2][];
        for (int part = 0; part < 2; part++)
        {
            string ip = Find(Parts[2 * part]),
                lp = Find(Parts[2 * part + 1]);
            var (isz, img) = Idx.Read(ip, 3);
            var (lsz, lab) = Idx.Read(lp, 1);
            if (isz[1] != Side || isz[2] != Side)
                throw new DataFormatException($"{ip}: images are {isz[1]}x{isz[2]}, expected {Side}x{Side}");
            if (isz[0] != lsz[0])
                throw new DataFormatException($"{ip} holds {isz[0]} images but {lp} holds {lsz[0]} labels");
            if (lab.Any(l => l > 9))
                throw new DataFormatException($"{lp}: label {lab.First(l => l > 9)} is not a digit 0-9");
            images[part] = img;
            labels[part] = lab;
        }
        var binary = new byte[images[0].Length + images[1].Length];
        int o = 0;
        foreach (var img in images)
        {
            foreach (byte v in img)
                binary[o++] = v >= BinariseAt ? (byte)1 : (byte)0;
        }
        return new Mnist(binary, [.. labels[0], .. labels[1]]);
    }

    /// <summary>
    /// The project's embedded copy: data/mnist in a folder above the program (a clone's root, the GPU bundle's), else
    /// the copy beside the program (the .NET tool's), else above the current folder. A clone's root comes before the
    /// build's own copy so that runs record the repository's data folder, which every clone has.
    /// </summary>
    public static string DefaultFolder()
    {
        static string? Above(DirectoryInfo? d)
        {
            for (; d is not null; d = d.Parent)
            {
                if (Directory.Exists(Path.Combine(d.FullName, "data", "mnist")))
                    return Path.Combine(d.FullName, "data", "mnist");
            }

            return null;
        }
        var exe = new DirectoryInfo(AppContext.BaseDirectory);
        if (Above(exe.Parent) is { } repo)
            return repo;
        if (Directory.Exists(Path.Combine(exe.FullName, "data", "mnist")))
            return Path.Combine(exe.FullName, "data", "mnist");
        if (Above(new DirectoryInfo(Directory.GetCurrentDirectory())) is { } here)
            return here;
        return Path.Combine(Directory.GetCurrentDirectory(), "data", "mnist");
    }
}
