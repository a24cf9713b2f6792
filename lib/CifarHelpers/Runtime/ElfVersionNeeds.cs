using System.Buffers.Binary;
using System.Text;

namespace CifarHelpers.Runtime;

/// <summary>
/// Reads and edits the version needs (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF file.
/// </summary>
/// <remarks>
/// No served .NET library edits ELF version records, and the edit is a single flag, so this reads
/// the few ELF structures it needs by hand (ELF-64 Object File Format, "Symbol Versioning").
/// </remarks>
public static class ElfVersionNeeds
{
    const uint ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff, ShtDynsym = 11;

    /// <summary>The <c>vna_flags</c> bit that makes a missing version non-fatal to the loader.</summary>
    public const ushort VerFlagWeak = 0x2;

    /// <summary>One version that the file needs from one of its libraries.</summary>
    /// <param name="File">The library, for example <c>libstdc++.so.6</c>.</param>
    /// <param name="Version">The version, for example <c>GLIBCXX_3.4.32</c>.</param>
    /// <param name="Flags">The entry's <c>vna_flags</c>.</param>
    /// <param name="FlagsOffset">Where <c>vna_flags</c> lies in the file.</param>
    /// <param name="Index">The entry's <c>vna_other</c>: the version index that symbols bound to it carry in <c>.gnu.version</c>.</param>
    public sealed record Need(string File, string Version, ushort Flags, long FlagsOffset, ushort Index)
    {
        /// <summary>True when the loader tolerates this version being absent.</summary>
        public bool IsWeak => (Flags & VerFlagWeak) != 0;
    }

    /// <summary>Lists the version needs of an ELF file.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a 64-bit little-endian ELF file.</exception>
    public static IReadOnlyList<Need> Read(ReadOnlySpan<byte> elf, string nameForErrors)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{nameForErrors} is not an ELF file (no \\x7fELF magic).");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{nameForErrors} is not a 64-bit little-endian ELF file.");

        long shoff = (long)U64(elf, 0x28, nameForErrors);
        int shentsize = U16(elf, 0x3a, nameForErrors);
        int shnum = U16(elf, 0x3c, nameForErrors);
        if (shentsize < 64)
            throw new InvalidDataException($"{nameForErrors} has a section header size of {shentsize}.");

        var needs = new List<Need>();
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (U32(elf, sh + 4, nameForErrors) != ShtGnuVerneed) continue;

            long offset = (long)U64(elf, sh + 0x18, nameForErrors);
            int link = (int)U32(elf, sh + 0x28, nameForErrors);
            long strtab = (long)U64(elf, shoff + (long)link * shentsize + 0x18, nameForErrors);

            long vn = offset;
            while (true)
            {
                int count = U16(elf, vn + 2, nameForErrors);
                string file = Str(elf, strtab + U32(elf, vn + 4, nameForErrors), nameForErrors);
                long aux = vn + U32(elf, vn + 8, nameForErrors);
                for (int a = 0; a < count; a++)
                {
                    ushort flags = U16(elf, aux + 4, nameForErrors);
                    ushort index = U16(elf, aux + 6, nameForErrors);
                    string version = Str(elf, strtab + U32(elf, aux + 8, nameForErrors), nameForErrors);
                    needs.Add(new Need(file, version, flags, aux + 4, index));
                    uint nextAux = U32(elf, aux + 12, nameForErrors);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(elf, vn + 12, nameForErrors);
                if (next == 0) break;
                vn += next;
            }
        }
        return needs;
    }

    /// <summary>One dynamic symbol and its version index from <c>.gnu.version</c>.</summary>
    /// <param name="Name">The symbol's name.</param>
    /// <param name="Version">Its version index (the hidden bit cleared): 0 local, 1 global, otherwise a <see cref="Need.Index"/> or a definition.</param>
    /// <param name="VersionOffset">Where its <c>.gnu.version</c> entry lies in the file.</param>
    public sealed record Symbol(string Name, ushort Version, long VersionOffset);

    /// <summary>Lists the dynamic symbols (<c>.dynsym</c>) with their versions (<c>.gnu.version</c>).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a 64-bit little-endian ELF file, or are malformed.</exception>
    public static IReadOnlyList<Symbol> Symbols(ReadOnlySpan<byte> elf, string nameForErrors)
    {
        _ = Read(elf, nameForErrors); // the header checks
        long shoff = (long)U64(elf, 0x28, nameForErrors);
        int shentsize = U16(elf, 0x3a, nameForErrors);
        int shnum = U16(elf, 0x3c, nameForErrors);
        long dynsym = -1, versym = -1;
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            uint type = U32(elf, sh + 4, nameForErrors);
            if (type == ShtDynsym) dynsym = sh;
            else if (type == ShtGnuVersym) versym = sh;
        }
        var symbols = new List<Symbol>();
        if (dynsym < 0 || versym < 0) return symbols;

        long symOffset = (long)U64(elf, dynsym + 0x18, nameForErrors);
        long symSize = (long)U64(elf, dynsym + 0x20, nameForErrors);
        long symEntSize = (long)U64(elf, dynsym + 0x38, nameForErrors);
        int link = (int)U32(elf, dynsym + 0x28, nameForErrors);
        long strtab = (long)U64(elf, shoff + (long)link * shentsize + 0x18, nameForErrors);
        long verOffset = (long)U64(elf, versym + 0x18, nameForErrors);
        if (symEntSize < 24)
            throw new InvalidDataException($"{nameForErrors} has a symbol size of {symEntSize}.");
        for (long i = 0; i < symSize / symEntSize; i++)
        {
            string name = Str(elf, strtab + U32(elf, symOffset + i * symEntSize, nameForErrors), nameForErrors);
            long at = verOffset + 2 * i;
            symbols.Add(new Symbol(name, (ushort)(U16(elf, at, nameForErrors) & 0x7fff), at));
        }
        return symbols;
    }

    /// <summary>The dynamic symbols bound to <paramref name="version"/> (those whose <c>.gnu.version</c> entry is its <c>vna_other</c>).</summary>
    /// <exception cref="InvalidDataException">Not an ELF file, or it does not need that version.</exception>
    public static IReadOnlyList<string> SymbolsBoundTo(ReadOnlySpan<byte> elf, string version, string nameForErrors)
    {
        var indices = Read(elf, nameForErrors).Where(n => n.Version == version).Select(n => n.Index).ToHashSet();
        if (indices.Count == 0)
            throw new InvalidDataException($"{nameForErrors} does not need version {version}.");
        return [.. Symbols(elf, nameForErrors).Where(s => indices.Contains(s.Version)).Select(s => s.Name)];
    }

    /// <summary>
    /// Returns a copy of <paramref name="elf"/> in which the need for <paramref name="version"/>
    /// is flagged weak. Nothing else changes.
    /// </summary>
    /// <exception cref="InvalidDataException">Not an ELF file, or it does not need that version.</exception>
    public static byte[] MarkWeak(ReadOnlySpan<byte> elf, string version, string nameForErrors)
    {
        var matches = Read(elf, nameForErrors).Where(n => n.Version == version).ToList();
        if (matches.Count == 0)
            throw new InvalidDataException($"{nameForErrors} does not need version {version}.");

        byte[] copy = elf.ToArray();
        foreach (var need in matches)
            BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan((int)need.FlagsOffset), (ushort)(need.Flags | VerFlagWeak));
        return copy;
    }

    static ushort U16(ReadOnlySpan<byte> b, long at, string name) =>
        BinaryPrimitives.ReadUInt16LittleEndian(Slice(b, at, 2, name));

    static uint U32(ReadOnlySpan<byte> b, long at, string name) =>
        BinaryPrimitives.ReadUInt32LittleEndian(Slice(b, at, 4, name));

    static ulong U64(ReadOnlySpan<byte> b, long at, string name) =>
        BinaryPrimitives.ReadUInt64LittleEndian(Slice(b, at, 8, name));

    static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> b, long at, int length, string name)
    {
        if (at < 0 || at + length > b.Length)
            throw new InvalidDataException($"{name} is a truncated or malformed ELF file (offset {at} is past its end).");
        return b.Slice((int)at, length);
    }

    static string Str(ReadOnlySpan<byte> b, long at, string name)
    {
        _ = Slice(b, at, 1, name);
        var rest = b[(int)at..];
        int end = rest.IndexOf((byte)0);
        if (end < 0)
            throw new InvalidDataException($"{name} has an unterminated string at offset {at}.");
        return Encoding.ASCII.GetString(rest[..end]);
    }
}
