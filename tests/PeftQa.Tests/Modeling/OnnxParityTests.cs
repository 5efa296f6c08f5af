using System.Text.Json;
using FluentAssertions;
using PeftQa.Host.Modeling;
using PeftQa.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace PeftQa.Tests.Modeling;

/// <summary>Our encoder against ONNX Runtime running the same all-MiniLM-L6-v2 ONNX file: a reference nobody here wrote.</summary>
[Collection(BuiltinModelCollection.Name)]
public sealed class OnnxParityTests(BuiltinModelFixture builtin, ITestOutputHelper output)
{
    [Fact]
    public void Last_hidden_state_matches_onnx_runtime_on_real_padded_sentences()
    {
        var (ids, mask, types, batch, length) = RealBatch();
        using var reference = new OnnxRuntimeReference(BuiltinModels.ReadOnnx(), threads: Environment.ProcessorCount);
        var (expected, shape) = reference.LastHiddenState(ids, mask, types, batch, length);

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var ours = builtin.Model.Bert.Forward(tensor(ids).view(batch, length), tensor(mask).view(batch, length), tensor(types).view(batch, length));

        ours.shape.Should().Equal(shape);
        var difference = (ours - tensor(expected).view(shape)).abs();
        var realPositions = tensor(mask).view(batch, length, 1).to_type(ScalarType.Bool);
        double maxAll = difference.max().item<float>();
        double maxReal = difference.masked_select(realPositions.expand_as(difference)).max().item<float>();
        output.WriteLine($"batch {batch} x {length}, max |ours - ORT|: {maxAll:E2} over all positions, {maxReal:E2} over real tokens");
        maxAll.Should().BeLessThan(1e-4);
    }

    /// <summary>Questions alone and question/context pairs from SQuAD v1.1 dev: different lengths, so most rows are padded.</summary>
    private (long[] Ids, long[] Mask, long[] Types, long Batch, long Length) RealBatch()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestEnvironment.SharedData, "squad-v1.1", "dev.json")));
        var paragraphs = document.RootElement.GetProperty("data").EnumerateArray()
            .SelectMany(a => a.GetProperty("paragraphs").EnumerateArray()).Take(4).ToList();
        var rows = new List<(int[] Ids, int[] Types)>();
        var tokenizer = builtin.Tokenizer;
        foreach (var paragraph in paragraphs)
        {
            var question = paragraph.GetProperty("qas")[0].GetProperty("question").GetString()!;
            var context = paragraph.GetProperty("context").GetString()!;
            var q = tokenizer.Encode(question);
            rows.Add(([tokenizer.ClsId, .. q, tokenizer.SepId], new int[q.Length + 2]));
            var c = tokenizer.Encode(context).Take(60 + 25 * rows.Count).ToArray();
            rows.Add(([tokenizer.ClsId, .. q, tokenizer.SepId, .. c, tokenizer.SepId],
                [.. new int[q.Length + 2], .. Enumerable.Repeat(1, c.Length + 1)]));
        }
        int length = rows.Max(r => r.Ids.Length);
        var ids = new long[rows.Count * length];
        var mask = new long[rows.Count * length];
        var types = new long[rows.Count * length];
        for (int r = 0; r < rows.Count; r++)
        for (int t = 0; t < rows[r].Ids.Length; t++)
        {
            ids[r * length + t] = rows[r].Ids[t];
            mask[r * length + t] = 1;
            types[r * length + t] = rows[r].Types[t];
        }
        mask.Should().Contain(0, "the batch must include padding");
        return (ids, mask, types, rows.Count, length);
    }
}
