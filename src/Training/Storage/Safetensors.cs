using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Untapped.Training.Storage;

/// <summary>
/// Reads and writes the safetensors format (8-byte little-endian header length, JSON header, raw
/// little-endian data), float32 only. <see cref="Encode"/> gives the file's bytes (the caller writes them, atomically);
/// they carry a SHA-256 of the data in the metadata ("sha256"), which <see cref="Read"/> verifies when present.
/// </summary>
public static class Safetensors
{
    public sealed record Entry(string Name, int[] Shape, float[] Data);

    public static byte[] Encode(IEnumerable<Entry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = entries.ToList();
        using var data = new MemoryStream();
        var header = new JsonObject();
        foreach (var e in list)
        {
            if (e.Shape.Aggregate(1L, (a, b) => a * b) != e.Data.Length)
            {
                throw new ArgumentException(
                    $"tensor '{e.Name}' has shape [{string.Join(",", e.Shape)}] but {e.Data.Length} values"
                );
            }

            long begin = data.Position;
            var bytes = new byte[e.Data.Length * 4];
            for (int i = 0; i < e.Data.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), e.Data[i]);
            data.Write(bytes);
            header[e.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(e.Shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray(begin, data.Position),
            };
        }
        var meta = new JsonObject();
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>())
            meta[k] = v;
        meta["sha256"] = Convert.ToHexStringLower(SHA256.HashData(data.GetBuffer().AsSpan(0, (int)data.Length)));
        header["__metadata__"] = meta;
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - json.Length % 8) % 8;
        var padded = new byte[json.Length + pad];
        json.CopyTo(padded, 0);
        for (int i = json.Length; i < padded.Length; i++)
            padded[i] = (byte)' ';

        var file = new byte[8 + padded.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)padded.Length);
        padded.CopyTo(file, 8);
        data.GetBuffer().AsSpan(0, (int)data.Length).CopyTo(file.AsSpan(8 + padded.Length));
        return file;
    }

    /// <summary>
    /// Reads every tensor and the metadata; throws <see cref="CheckpointException"/> for any malformed or corrupted
    /// file.
    /// </summary>
    public static (Dictionary<string, Entry> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw new CheckpointException($"{path}: file not found");
        }
        catch (DirectoryNotFoundException)
        {
            throw new CheckpointException($"{path}: file not found");
        }
        catch (IOException e)
        {
            throw new CheckpointException($"{path}: cannot read: {e.Message}");
        }
        return Parse(path, file);
    }

    /// <summary>Parses file contents; <paramref name="path"/> only names the file in errors.</summary>
    public static (Dictionary<string, Entry> Tensors, Dictionary<string, string> Metadata) Parse(
        string path,
        byte[] file
    )
    {
        if (file.Length < 8)
            throw new CheckpointException($"{path}: {file.Length} bytes is too short for a safetensors header");
        ulong hlen = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (hlen > (ulong)(file.Length - 8) || hlen > 100_000_000)
            throw new CheckpointException($"{path}: header length {hlen} exceeds the file ({file.Length} bytes)");
        JsonObject header;
        try
        {
            header =
                JsonNode.Parse(file.AsSpan(8, (int)hlen)) as JsonObject
                ?? throw new CheckpointException($"{path}: header is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{path}: header is not valid JSON: {e.Message}");
        }
        int dataStart = 8 + (int)hlen;
        var body = file.AsSpan(dataStart);
        var meta = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Entry>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (
                        var (k, v) in node as JsonObject
                            ?? throw new CheckpointException($"{path}: __metadata__ is not an object")
                    )
                    {
                        meta[k] = v?.GetValue<string>() ?? "";
                    }

                    continue;
                }
                var o = node as JsonObject ?? throw new CheckpointException($"{path}: entry '{name}' is not an object");
                if (o["dtype"]?.GetValue<string>() != "F32")
                {
                    throw new CheckpointException(
                        $"{path}: tensor '{name}' has dtype {o["dtype"]}, only F32 is supported"
                    );
                }

                var shape = (
                    o["shape"] as JsonArray ?? throw new CheckpointException($"{path}: tensor '{name}' has no shape")
                )
                    .Select(s => s!.GetValue<int>())
                    .ToArray();
                var offs =
                    o["data_offsets"] as JsonArray
                    ?? throw new CheckpointException($"{path}: tensor '{name}' has no data_offsets");
                if (offs.Count != 2)
                    throw new CheckpointException($"{path}: tensor '{name}' data_offsets must have two entries");
                long b = offs[0]!.GetValue<long>(),
                    e = offs[1]!.GetValue<long>();
                long count = shape.Any(s => s < 0) ? -1 : shape.Aggregate(1L, (x, y) => Math.Min(x * y, 1L << 40));
                if (count < 0 || b < 0 || e < b || e > body.Length || e - b != count * 4)
                {
                    throw new CheckpointException(
                        $"{path}: tensor '{name}' [{string.Join(",", shape)}] has data_offsets [{b},{e}] that do not fit its shape or the {body.Length}-byte data section"
                    );
                }

                var data = new float[count];
                for (long i = 0; i < count; i++)
                    data[i] = BinaryPrimitives.ReadSingleLittleEndian(body.Slice((int)(b + i * 4), 4));
                tensors[name] = new Entry(name, shape, data);
            }
        }
        // JSON of the wrong shape surfaces as these (a string where a number belongs, a null entry, a duplicate key).
        catch (Exception e)
            when (e
                    is InvalidOperationException
                        or FormatException
                        or NullReferenceException
                        or ArgumentException
                        or OverflowException
                        or InvalidCastException
            )
        {
            throw new CheckpointException($"{path}: malformed header: {e.Message}");
        }
        if (meta.TryGetValue("sha256", out var sha) && sha != Convert.ToHexStringLower(SHA256.HashData(body)))
        {
            throw new CheckpointException(
                $"{path}: checksum mismatch: the file is corrupted (data does not match its recorded sha256)"
            );
        }

        return (tensors, meta);
    }
}
