using System.Buffers.Binary;
using System.Text;

namespace PeftQa.ElfPatch;

/// <summary>
/// Reads and edits the symbol-version records of a 64-bit little-endian ELF shared library.
/// </summary>
/// <remarks>
/// Why this exists: TorchSharp 0.107's <c>libLibTorchSharp.so</c> was linked against a libstdc++ that defines
/// GLIBCXX_3.4.32, and it records "I need GLIBCXX_3.4.32 from libstdc++.so.6" in its <c>.gnu.version_r</c>
/// section. Debian 12 and Ubuntu 22.04 stop at GLIBCXX_3.4.30, so the dynamic loader refuses the library
/// even though the only symbol bound to that version, <c>std::ios_base_library_init()</c>, is never
/// relocated against. Setting VER_FLG_WEAK (0x2) in that requirement's <c>vna_flags</c> turns the hard
/// failure into a loader warning-free weak requirement, and the library loads and computes correctly.
///
/// Safety: <see cref="WeakenMissingVersions"/> only weakens a version when every dynamic symbol bound to it
/// is in <see cref="SymbolsSafeToLeaveUnbound"/>; otherwise it refuses and says which symbols stand in the way.
/// The caller decides which file to edit; the build edits only the copy in the output folder.
/// </remarks>
public static class ElfVersionNeeds
{
    public const ushort VerFlagWeak = 0x2;

    /// <summary>Symbols that may stay unresolved: libstdc++ 13 added this initialiser, no relocation uses it.</summary>
    public static readonly IReadOnlySet<string> SymbolsSafeToLeaveUnbound =
        new HashSet<string>(StringComparer.Ordinal) { "_ZSt21ios_base_library_initv" };

    private const uint ShtDynSym = 11;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;

    /// <summary>One version a library needs from one of its dependencies.</summary>
    /// <param name="AuxOffset">File offset of the Elf64_Vernaux record, for editing.</param>
    public sealed record VersionNeed(string Library, string Version, ushort Flags, ushort Index, long AuxOffset)
    {
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>What <see cref="WeakenMissingVersions"/> did.</summary>
    public sealed record PatchOutcome(IReadOnlyList<string> Weakened, IReadOnlyList<string> AlreadyWeak, IReadOnlyList<string> Refused);

    private readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info, long EntrySize);

    /// <summary>All version requirements recorded in <c>.gnu.version_r</c>.</summary>
    public static IReadOnlyList<VersionNeed> ReadVersionNeeds(ReadOnlySpan<byte> elf)
    {
        var sections = ReadSections(elf);
        var needs = new List<VersionNeed>();
        foreach (var section in sections.Where(s => s.Type == ShtGnuVerneed))
        {
            var strings = sections[(int)section.Link];
            long entry = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                ushort auxCount = U16(elf, entry + 2);
                string library = CString(elf, strings.Offset + U32(elf, entry + 4));
                long aux = entry + U32(elf, entry + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    ushort flags = U16(elf, aux + 4);
                    ushort index = U16(elf, aux + 6);
                    string version = CString(elf, strings.Offset + U32(elf, aux + 8));
                    needs.Add(new VersionNeed(library, version, flags, index, aux));
                    uint nextAux = U32(elf, aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(elf, entry + 12);
                if (next == 0) break;
                entry += next;
            }
        }
        return needs;
    }

    /// <summary>The version names a library defines in <c>.gnu.version_d</c> (for libstdc++: GLIBCXX_3.4 ... GLIBCXX_3.4.30 ...).</summary>
    public static IReadOnlySet<string> ReadVersionDefinitions(ReadOnlySpan<byte> elf)
    {
        var sections = ReadSections(elf);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in sections.Where(s => s.Type == ShtGnuVerdef))
        {
            var strings = sections[(int)section.Link];
            long entry = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                ushort auxCount = U16(elf, entry + 6);
                long aux = entry + U32(elf, entry + 12);
                for (int a = 0; a < auxCount; a++)
                {
                    names.Add(CString(elf, strings.Offset + U32(elf, aux)));
                    uint nextAux = U32(elf, aux + 4);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(elf, entry + 16);
                if (next == 0) break;
                entry += next;
            }
        }
        return names;
    }

    /// <summary>Names of the dynamic symbols whose version index is <paramref name="versionIndex"/>.</summary>
    public static IReadOnlyList<string> SymbolsBoundToVersion(ReadOnlySpan<byte> elf, ushort versionIndex)
    {
        var sections = ReadSections(elf);
        int dynsymIndex = sections.FindIndex(s => s.Type == ShtDynSym);
        int versymIndex = sections.FindIndex(s => s.Type == ShtGnuVersym);
        if (dynsymIndex < 0 || versymIndex < 0) return [];
        var dynsym = sections[dynsymIndex];
        var versym = sections[versymIndex];
        var strings = sections[(int)dynsym.Link];
        long count = dynsym.Size / 24;
        var result = new List<string>();
        for (long i = 0; i < count; i++)
        {
            ushort version = (ushort)(U16(elf, versym.Offset + 2 * i) & 0x7fff);
            if (version != versionIndex) continue;
            result.Add(CString(elf, strings.Offset + U32(elf, dynsym.Offset + 24 * i)));
        }
        return result;
    }

    /// <summary>
    /// Marks as weak each version needed from <paramref name="library"/> that <paramref name="availableVersions"/> lacks,
    /// when every symbol bound to it is safe to leave unbound. Edits <paramref name="elf"/> in place.
    /// </summary>
    public static PatchOutcome WeakenMissingVersions(Span<byte> elf, string library, IReadOnlySet<string> availableVersions)
    {
        var weakened = new List<string>();
        var alreadyWeak = new List<string>();
        var refused = new List<string>();
        foreach (var need in ReadVersionNeeds(elf).Where(n => n.Library == library && !availableVersions.Contains(n.Version)))
        {
            if (need.IsWeak) { alreadyWeak.Add(need.Version); continue; }
            var blockers = SymbolsBoundToVersion(elf, need.Index).Where(s => !SymbolsSafeToLeaveUnbound.Contains(s)).ToList();
            if (blockers.Count > 0)
            {
                refused.Add($"{need.Version} (symbols that would stay unresolved: {string.Join(", ", blockers.Take(5))})");
                continue;
            }
            BinaryPrimitives.WriteUInt16LittleEndian(elf.Slice((int)need.AuxOffset + 4, 2), (ushort)(need.Flags | VerFlagWeak));
            weakened.Add(need.Version);
        }
        return new PatchOutcome(weakened, alreadyWeak, refused);
    }

    private static List<Section> ReadSections(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
        long sectionHeaders = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.Slice(0x28, 8));
        ushort entrySize = U16(elf, 0x3A);
        ushort count = U16(elf, 0x3C);
        if (entrySize != 64 || sectionHeaders <= 0 || sectionHeaders + (long)count * entrySize > elf.Length)
            throw new InvalidDataException("section header table is missing or truncated");
        var sections = new List<Section>(count);
        for (int i = 0; i < count; i++)
        {
            long h = sectionHeaders + (long)i * entrySize;
            var section = new Section(
                Type: U32(elf, h + 4),
                Offset: (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.Slice((int)h + 24, 8)),
                Size: (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.Slice((int)h + 32, 8)),
                Link: U32(elf, h + 40),
                Info: U32(elf, h + 44),
                EntrySize: (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.Slice((int)h + 56, 8)));
            if (section.Type != 8 /* SHT_NOBITS */ && section.Offset + section.Size > elf.Length)
                throw new InvalidDataException($"section {i} extends past the end of the file");
            sections.Add(section);
        }
        return sections;
    }

    private static ushort U16(ReadOnlySpan<byte> elf, long offset) => BinaryPrimitives.ReadUInt16LittleEndian(elf.Slice(checked((int)offset), 2));
    private static uint U32(ReadOnlySpan<byte> elf, long offset) => BinaryPrimitives.ReadUInt32LittleEndian(elf.Slice(checked((int)offset), 4));

    private static string CString(ReadOnlySpan<byte> elf, long offset)
    {
        var rest = elf[checked((int)offset)..];
        int end = rest.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException("unterminated string in string table");
        return Encoding.ASCII.GetString(rest[..end]);
    }
}
