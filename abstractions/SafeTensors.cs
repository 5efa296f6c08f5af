using System.Buffers.Binary;
using System.Text.Json;
using static TorchSharp.torch;

namespace PeftQa.Abstractions;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data. Checkpoints and adapters
/// (PEFT's <c>adapter_model.safetensors</c>) use it.
/// </summary>
public static class SafeTensors
{
    /// <summary>One tensor's entry in the header.</summary>
    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End);

    private const long MaxHeaderBytes = 100L << 20;

    private static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new()
    {
        ["F32"] = (ScalarType.Float32, 4), ["F16"] = (ScalarType.Float16, 2), ["BF16"] = (ScalarType.BFloat16, 2),
        ["F64"] = (ScalarType.Float64, 8), ["I64"] = (ScalarType.Int64, 8), ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2), ["I8"] = (ScalarType.Int8, 1), ["U8"] = (ScalarType.Byte, 1), ["BOOL"] = (ScalarType.Bool, 1),
    };

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/> atomically (a temporary file renamed into place),
    /// so a crash never leaves a half-written file under the final name.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var items = tensors.ToList();
        var header = new Dictionary<string, object>();
        if (metadata is { Count: > 0 }) header["__metadata__"] = metadata;
        long offset = 0;
        foreach (var (name, tensor) in items)
        {
            var dtype = DTypes.First(d => d.Value.Type == tensor.dtype);
            long size = tensor.numel() * dtype.Value.Size;
            header[name] = new { dtype = dtype.Key, shape = tensor.shape, data_offsets = new[] { offset, offset + size } };
            offset += size;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padding = (8 - json.Length % 8) % 8;

        var temporary = path + ".tmp-" + Environment.ProcessId;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(json.Length + padding));
            stream.Write(length);
            stream.Write(json);
            for (int i = 0; i < padding; i++) stream.WriteByte((byte)' ');
            foreach (var (_, tensor) in items)
            {
                using var cpu = tensor.detach().cpu().contiguous();
                stream.Write(cpu.bytes);
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The header of a safetensors file, checked against the file's size.</summary>
    public static (IReadOnlyList<Entry> Entries, IReadOnlyDictionary<string, string> Metadata, long DataStart) ReadHeader(string path)
    {
        using var stream = File.OpenRead(path);
        return ReadHeader(stream, path);
    }

    /// <summary>Every tensor in the file, on the CPU.</summary>
    public static Dictionary<string, Tensor> Load(string path)
    {
        using var stream = File.OpenRead(path);
        var (entries, _, dataStart) = ReadHeader(stream, path);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var buffer = Array.Empty<byte>();
        foreach (var entry in entries.OrderBy(e => e.Begin))
        {
            int size = checked((int)(entry.End - entry.Begin));
            if (buffer.Length < size) buffer = new byte[size];
            stream.Position = dataStart + entry.Begin;
            stream.ReadExactly(buffer, 0, size);
            var tensor = empty(entry.Shape, DTypes[entry.DType].Type);
            tensor.bytes = buffer.AsSpan(0, size);
            result[entry.Name] = tensor;
        }
        return result;
    }

    private static (IReadOnlyList<Entry>, IReadOnlyDictionary<string, string>, long) ReadHeader(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8) throw new InvalidDataException($"{path}: not a safetensors file (only {fileLength} bytes)");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || (long)headerLength > fileLength - 8)
            throw new InvalidDataException(
                $"{path}: header length {headerLength} does not fit the file ({fileLength} bytes): truncated or not safetensors");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataStart = 8 + (long)headerLength;
        long dataLength = fileLength - dataStart;

        JsonDocument document;
        try { document = JsonDocument.Parse(headerBytes); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: header is not valid JSON: {e.Message}"); }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: header is not a JSON object: not a safetensors file");
            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new InvalidDataException($"{path}: header entry __metadata__ is not an object of strings");
                    foreach (var item in property.Value.EnumerateObject())
                        metadata[item.Name] = item.Value.ValueKind == JsonValueKind.String ? item.Value.GetString()! : item.Value.GetRawText();
                    continue;
                }
                var (dtype, shape, offsets) = ReadEntry(property, path);
                if (!DTypes.TryGetValue(dtype, out var info))
                    throw new InvalidDataException($"{path}: tensor '{property.Name}' has unsupported dtype {dtype}");
                long expected = shape.Aggregate(1L, (a, b) => a * b) * info.Size;
                if (offsets.Length != 2 || offsets[1] - offsets[0] != expected || offsets[0] < 0)
                    throw new InvalidDataException($"{path}: tensor '{property.Name}' has data_offsets [{string.Join(", ", offsets)}] " +
                                                   $"that do not match its shape [{string.Join(", ", shape)}] and dtype {dtype}");
                if (offsets[1] > dataLength)
                    throw new InvalidDataException($"{path}: tensor '{property.Name}' ends at byte {offsets[1]} of the data " +
                                                   $"but the file holds only {dataLength}: the file is truncated");
                entries.Add(new Entry(property.Name, dtype, shape, offsets[0], offsets[1]));
            }
            return (entries, metadata, dataStart);
        }
    }

    private static (string DType, long[] Shape, long[] Offsets) ReadEntry(JsonProperty property, string path)
    {
        try
        {
            var value = property.Value;
            return (value.GetProperty("dtype").GetString() ?? "",
                value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray());
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException(
                $"{path}: header entry '{property.Name}' is not a tensor description (dtype, shape, data_offsets): {e.Message}");
        }
    }

    /// <summary>Encodes text metadata values the way the format requires (strings only).</summary>
    public static IReadOnlyDictionary<string, string> Metadata(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);


}
