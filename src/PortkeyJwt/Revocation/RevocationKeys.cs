using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace PortkeyJwt.Internal;

/// <summary>
/// The 64-bit key of a revocation entry, and of each entry that could apply to a principal: XXH3 over the entry's kind,
/// issuer and identifiers, each length-prefixed so that no two different entries share an input. The seed is random per
/// <see cref="RevocationList"/>, so no token can be crafted to collide with an entry. Two different entries share a key
/// with probability 2⁻⁶⁴ per pair; then the one would also revoke the other (a false rejection, never a false acceptance).
/// </summary>
internal static class RevocationKeys
{
    /// <summary>The bit of <see cref="RevocationIndex.Kinds"/> for a kind, limited to one issuer or not.</summary>
    public static byte Bit(RevocationKind kind, bool issuerScoped) => (byte)(1 << (((int)kind * 2) + (issuerScoped ? 1 : 0)));

    public static ulong For(Revocation entry, long seed) => Key(
        seed, entry.Kind, entry.Issuer, entry.Kind == RevocationKind.Token ? entry.JwtId! : entry.Organisation!, entry.Workspace ?? entry.User);

    /// <summary>The key of the entry (<paramref name="kind"/>, <paramref name="issuer"/>, <paramref name="first"/>, <paramref name="second"/>); never zero.</summary>
    public static ulong Key(long seed, RevocationKind kind, string? issuer, string first, string? second)
    {
        int length = 1 + Part(issuer) + Part(first) + Part(second);
        byte[]? rented = null;
        Span<byte> buffer = length <= 1024 ? stackalloc byte[1024] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            buffer[0] = (byte)kind;
            int written = 1;
            written += Write(buffer[written..], issuer);
            written += Write(buffer[written..], first);
            written += Write(buffer[written..], second);
            ulong key = XxHash3.HashToUInt64(buffer[..written], seed);
            return key == 0 ? 1 : key; // zero marks an empty slot
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Part(string? value) => 4 + ((value?.Length ?? 0) * 2);

    private static int Write(Span<byte> buffer, string? value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer, value?.Length ?? -1); // null and "" differ
        if (value is null)
        {
            return 4;
        }

        MemoryMarshal.AsBytes(value.AsSpan()).CopyTo(buffer[4..]);
        return 4 + (value.Length * 2);
    }
}
