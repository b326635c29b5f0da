using System.Buffers.Binary;
using System.IO.Compression;

namespace Untapped.Training.Data;

/// <summary>
/// Reader of the IDX format (big-endian magic 0x0000TTDD, DD dimension sizes, then data), gzipped or not.
/// </summary>
public static class Idx
{
    public const int UByte = 0x08;

    /// <summary>
    /// Reads an unsigned-byte IDX file of <paramref name="dims"/> dimensions; returns its sizes and bytes.
    /// </summary>
    public static (int[] Sizes, byte[] Data) Read(string path, int dims)
    {
        byte[] raw;
        try
        {
            raw = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new DataFormatException($"{path}: file not found");
        }
        catch (DirectoryNotFoundException)
        {
            throw new DataFormatException($"{path}: file not found");
        }
        catch (IOException e)
        {
            throw new DataFormatException($"{path}: cannot read: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DataFormatException($"{path}: cannot read: {e.Message}", e);
        }
        return Decode(path, raw, dims);
    }

    /// <summary>
    /// Parses file contents (gzip detected by its magic bytes); <paramref name="path"/> only names it in errors.
    /// </summary>
    public static (int[] Sizes, byte[] Data) Decode(string path, byte[] raw, int dims)
    {
        if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            if (raw.Length < 18)
                throw new DataFormatException($"{path}: the gzip stream is cut short ({raw.Length} bytes)");
            try
            {
                using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
                using var ms = new MemoryStream();
                gz.CopyTo(ms);
                // The member trailer's ISIZE is the uncompressed length mod 2^32; a cut stream decodes short of it.
                uint isize = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 4));
                if ((uint)ms.Length != isize)
                {
                    throw new DataFormatException(
                        $"{path}: the gzip stream is corrupt or cut short (decoded {ms.Length} bytes, trailer says {isize})"
                    );
                }

                raw = ms.ToArray();
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException($"{path}: the gzip stream is corrupt or cut short ({e.Message})", e);
            }
            catch (EndOfStreamException e)
            {
                throw new DataFormatException($"{path}: the gzip stream is cut short", e);
            }
        }
        return Parse(path, raw, dims);
    }

    static (int[] Sizes, byte[] Data) Parse(string path, byte[] raw, int dims)
    {
        int header = 4 + 4 * dims;
        if (raw.Length < header)
        {
            throw new DataFormatException(
                $"{path}: {raw.Length} bytes is too short for an IDX header of {dims} dimensions"
            );
        }

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(raw);
        uint expected = (uint)(UByte << 8 | dims);
        if (magic != expected)
        {
            throw new DataFormatException(
                $"{path}: wrong IDX magic 0x{magic:x8}, expected 0x{expected:x8} (unsigned bytes, {dims} dimension{(dims > 1 ? "s" : "")})"
            );
        }

        var sizes = new int[dims];
        long count = 1;
        for (int i = 0; i < dims; i++)
        {
            uint s = BinaryPrimitives.ReadUInt32BigEndian(raw.AsSpan(4 + 4 * i));
            if (s > int.MaxValue)
                throw new DataFormatException($"{path}: dimension {i} has impossible size {s}");
            sizes[i] = (int)s;
            count = Math.Min(count * s, long.MaxValue / 4 / int.MaxValue);
        }
        if (raw.Length - header != count)
        {
            throw new DataFormatException(
                $"{path}: header promises {count} data bytes ({string.Join(" x ", sizes)}) but the file holds {raw.Length - header}: {(raw.Length - header < count ? "truncated" : "trailing bytes")}"
            );
        }

        return (sizes, raw[header..]);
    }
}
