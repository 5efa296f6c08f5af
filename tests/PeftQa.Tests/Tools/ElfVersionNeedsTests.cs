using FluentAssertions;
using PeftQa.ElfPatch;
using PeftQa.Tests.Support;
using Xunit;

namespace PeftQa.Tests.Tools;

/// <summary>The GLIBCXX weakening, on the real TorchSharp native library copied from the NuGet cache.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ElfVersionNeedsTests
{
    private const string MissingOnOldSystems = "GLIBCXX_3.4.32";

    private static string PristineLibrary => Path.Combine(TestEnvironment.NuGetPackageRoot,
        "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static byte[] ReadPristine() => File.ReadAllBytes(PristineLibrary);

    /// <summary>A libstdc++ like Debian 12's: every version the library needs except GLIBCXX_3.4.32.</summary>
    private static IReadOnlySet<string> Debian12Versions => ElfVersionNeeds.ReadVersionNeeds(ReadPristine())
        .Where(n => n.Library == "libstdc++.so.6" && n.Version != MissingOnOldSystems)
        .Select(n => n.Version).ToHashSet();

    [Fact]
    public void The_published_library_requires_GLIBCXX_3_4_32_strongly()
    {
        var need = ElfVersionNeeds.ReadVersionNeeds(ReadPristine())
            .Single(n => n.Library == "libstdc++.so.6" && n.Version == MissingOnOldSystems);
        need.IsWeak.Should().BeFalse();
    }

    [Fact]
    public void Only_ios_base_library_init_is_bound_to_that_version()
    {
        var bytes = ReadPristine();
        var need = ElfVersionNeeds.ReadVersionNeeds(bytes).Single(n => n.Version == MissingOnOldSystems);
        ElfVersionNeeds.SymbolsBoundToVersion(bytes, need.Index).Should().Equal("_ZSt21ios_base_library_initv");
    }

    [Fact]
    public void Weakening_sets_only_the_weak_flag_of_the_missing_version()
    {
        var original = ReadPristine();
        var patched = (byte[])original.Clone();

        var outcome = ElfVersionNeeds.WeakenMissingVersions(patched, "libstdc++.so.6", Debian12Versions);

        outcome.Weakened.Should().Equal(MissingOnOldSystems);
        outcome.Refused.Should().BeEmpty();
        var need = ElfVersionNeeds.ReadVersionNeeds(patched).Single(n => n.Version == MissingOnOldSystems);
        need.IsWeak.Should().BeTrue();
        var changedBytes = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        changedBytes.Should().Equal((int)need.AuxOffset + 4);
        (patched[need.AuxOffset + 4] & ElfVersionNeeds.VerFlagWeak).Should().Be(ElfVersionNeeds.VerFlagWeak);
    }

    [Fact]
    public void Weakening_twice_changes_nothing_more()
    {
        var patched = ReadPristine();
        ElfVersionNeeds.WeakenMissingVersions(patched, "libstdc++.so.6", Debian12Versions);
        var once = (byte[])patched.Clone();

        var second = ElfVersionNeeds.WeakenMissingVersions(patched, "libstdc++.so.6", Debian12Versions);

        second.Weakened.Should().BeEmpty();
        second.AlreadyWeak.Should().Equal(MissingOnOldSystems);
        patched.Should().Equal(once);
    }

    [Fact]
    public void A_system_that_has_the_version_gets_no_change()
    {
        var bytes = ReadPristine();
        var available = Debian12Versions.Append("GLIBCXX_3.4.31").Append(MissingOnOldSystems).Append("GLIBCXX_3.4.33").ToHashSet();

        var outcome = ElfVersionNeeds.WeakenMissingVersions(bytes, "libstdc++.so.6", available);

        outcome.Weakened.Should().BeEmpty();
        bytes.Should().Equal(ReadPristine());
    }

    [Fact]
    public void A_version_whose_symbols_are_really_used_is_refused_and_left_alone()
    {
        var bytes = ReadPristine();
        var withoutOlderVersion = Debian12Versions.Where(v => v != "GLIBCXX_3.4.21").ToHashSet();

        var outcome = ElfVersionNeeds.WeakenMissingVersions(bytes, "libstdc++.so.6", withoutOlderVersion);

        outcome.Refused.Should().ContainSingle().Which.Should().StartWith("GLIBCXX_3.4.21").And.Contain("symbols that would stay unresolved");
        ElfVersionNeeds.ReadVersionNeeds(bytes).Single(n => n.Version == "GLIBCXX_3.4.21").IsWeak.Should().BeFalse();
    }

    [Fact]
    public void Not_an_elf_file_is_rejected_with_a_reason()
    {
        var act = () => ElfVersionNeeds.ReadVersionNeeds("MZ this is not ELF at all, just some bytes to fill sixty-four of them....."u8.ToArray());
        act.Should().Throw<InvalidDataException>().WithMessage("*not an ELF file*");
    }

    [Fact]
    public void The_system_libstdcxx_definitions_are_read()
    {
        var libstdcxx = SystemLibraries.FindLibStdCxx();
        libstdcxx.Should().NotBeNull("this Linux machine has a libstdc++");
        var versions = ElfVersionNeeds.ReadVersionDefinitions(File.ReadAllBytes(libstdcxx!));
        versions.Should().Contain("GLIBCXX_3.4").And.Contain("GLIBCXX_3.4.30");
    }

    [Fact]
    public void The_build_patched_its_output_copy_and_left_the_nuget_cache_alone()
    {
        var systemHasVersion = ElfVersionNeeds.ReadVersionDefinitions(File.ReadAllBytes(SystemLibraries.FindLibStdCxx()!))
            .Contains(MissingOnOldSystems);
        var outputCopy = Directory.GetFiles(TestEnvironment.OutputFolder, "libLibTorchSharp.so", SearchOption.AllDirectories).Single();

        ElfVersionNeeds.ReadVersionNeeds(File.ReadAllBytes(outputCopy)).Single(n => n.Version == MissingOnOldSystems)
            .IsWeak.Should().Be(!systemHasVersion, "the build weakens the requirement exactly when the system lacks the version");
        ElfVersionNeeds.ReadVersionNeeds(ReadPristine()).Single(n => n.Version == MissingOnOldSystems)
            .IsWeak.Should().BeFalse("the NuGet cache must never be modified");
    }

    [Fact]
    public void Replacing_keeps_the_timestamp_and_mode()
    {
        using var folder = new TemporaryFolder();
        var path = folder.WriteFile("lib.so", "before");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var stamp = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, stamp);

        SystemLibraries.ReplaceKeepingTimestamp(path, "after"u8.ToArray());

        File.ReadAllText(path).Should().Be("after");
        File.GetLastWriteTimeUtc(path).Should().Be(stamp);
        File.GetUnixFileMode(path).Should().HaveFlag(UnixFileMode.UserExecute);
        Directory.GetFiles(folder.Path).Should().ContainSingle();
    }
}
