using System.Text;
using FluentAssertions;
using PeftQa.Host.Data;
using PeftQa.Host.Foundation;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Data;

/// <summary>SQuAD files are UTF-8: a byte-order mark is accepted, another encoding is named and refused.</summary>
public sealed class DataEncodingTests
{
    private static string Write(TemporaryFolder folder, string name, byte[] bytes)
    {
        var path = folder.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void A_utf8_file_with_a_byte_order_mark_reads_like_one_without()
    {
        using var folder = new TemporaryFolder();
        var path = Write(folder, "bom.json", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(TinyRuns.Squad)]);

        var data = SquadReader.Read(path, strict: true);

        data.Examples.Select(e => e.Id).Should().Equal("q1", "q2", "q3");
    }

    [Theory]
    [InlineData("utf-16", true, "UTF-16 (little-endian)")]
    [InlineData("utf-16", false, "UTF-16 (little-endian)")]
    [InlineData("utf-16BE", true, "UTF-16 (big-endian)")]
    [InlineData("utf-32", true, "UTF-32 (little-endian)")]
    public void A_file_in_another_unicode_encoding_is_named_and_refused(string encodingName, bool byteOrderMark, string described)
    {
        using var folder = new TemporaryFolder();
        var encoding = Encoding.GetEncoding(encodingName);
        var path = Write(folder, "wide.json", [.. byteOrderMark ? encoding.GetPreamble() : [], .. encoding.GetBytes(TinyRuns.Squad)]);

        var act = () => SquadReader.Read(path);

        act.Should().Throw<BadInputException>().Which.Problems.Should().Equal(
            $"{path}: the file is {described} text; peftqa reads UTF-8: save it as UTF-8 (in most editors: Save with Encoding, UTF-8)");
    }

    [Fact]
    public async Task Data_check_names_the_encoding_and_exits_2()
    {
        using var folder = new TemporaryFolder();
        var path = Write(folder, "wide.json", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(TinyRuns.Squad)]);

        var result = await PeftqaCli.Run("data", "check", path);

        result.ExitCode.Should().Be(2);
        result.Error.Should().Contain($"{path}: the file is UTF-16 (little-endian) text").And.NotContain("   at ");
    }
}
