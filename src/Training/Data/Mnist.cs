namespace Untapped.Training.Data;

/// <summary>MNIST pooled (train then test), binarised: pixel &gt;= 129 becomes 1 (docs/model.md §1).</summary>
public sealed class Mnist
{
    public const int Side = 28,
        Pixels = Side * Side,
        Classes = 10,
        BinariseAt = 129;

    public Mnist(float[] images, byte[] labels)
    {
        if (images.Length != labels.Length * Pixels)
        {
            throw new ArgumentException(
                $"{labels.Length} labels need {labels.Length * Pixels} pixels, got {images.Length}"
            );
        }

        Images = images;
        Labels = labels;
    }

    /// <summary>[Count, 784] binarised pixels, row-major.</summary>
    public float[] Images { get; }
    public byte[] Labels { get; }
    public int Count => Labels.Length;

    public ReadOnlySpan<float> Image(int i) => Images.AsSpan(i * Pixels, Pixels);

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
        var pixels = new List<byte>();
        var labels = new List<byte>();
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
            pixels.AddRange(img);
            labels.AddRange(lab);
        }
        var images = new float[pixels.Count];
        for (int i = 0; i < images.Length; i++)
            images[i] = pixels[i] >= BinariseAt ? 1f : 0f;
        return new Mnist(images, labels.ToArray());
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
