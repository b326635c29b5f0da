using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Untapped.Training.Storage;

namespace Untapped.Training.Output;

/// <summary>
/// Lays out 28x28 images (values in [0,1], 1 = ink) as a grid with a 2-pixel white border, ink drawn black.
/// </summary>
public static class ImageGrid
{
    public const int Side = 28,
        Gap = 2;

    public static (byte[] Grey, int Width, int Height) Compose(IReadOnlyList<float[]> tiles, int columns)
    {
        int rows = (tiles.Count + columns - 1) / columns;
        int w = columns * (Side + Gap) + Gap,
            h = rows * (Side + Gap) + Gap;
        var grey = Enumerable.Repeat((byte)255, w * h).ToArray();
        for (int t = 0; t < tiles.Count; t++)
        {
            int ox = Gap + t % columns * (Side + Gap),
                oy = Gap + t / columns * (Side + Gap);
            for (int y = 0; y < Side; y++)
            {
                for (int x = 0; x < Side; x++)
                {
                    grey[(oy + y) * w + ox + x] = (byte)
                        Math.Round(255 * (1 - Math.Clamp(tiles[t][y * Side + x], 0f, 1f)));
                }
            }
        }
        return (grey, w, h);
    }

    public static void Write(string path, IReadOnlyList<float[]> tiles, int columns)
    {
        var (g, w, h) = Compose(tiles, columns);
        AtomicFile.Write(path, EncodePng(g, w, h));
    }

    /// <summary>
    /// [height, width] grey levels (0 black .. 255 white) as an 8-bit greyscale PNG, through ImageSharp. Every row is
    /// stored unfiltered: these small, mostly flat images gain nothing from filtering, and the file stays trivial to
    /// read.
    /// </summary>
    public static byte[] EncodePng(byte[] grey, int width, int height)
    {
        if (width < 1 || height < 1 || grey.Length != width * height)
            throw new ArgumentException($"a {width}x{height} image needs {width * height} pixels, got {grey.Length}");
        using var image = Image.LoadPixelData<L8>(grey, width, height);
        using var png = new MemoryStream();
        image.SaveAsPng(
            png,
            new PngEncoder
            {
                ColorType = PngColorType.Grayscale,
                BitDepth = PngBitDepth.Bit8,
                FilterMethod = PngFilterMethod.None,
            }
        );
        return png.ToArray();
    }
}
