using System.IO.Hashing;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace PortkeyJwt.Internal;

/// <summary>
/// The anchors' issuers as a token's payload spells them in base64url when it starts <c>{"iss":"ISSUER"</c>, so the
/// common token routes by comparing its first characters with an encoding made once, without decoding anything.
/// </summary>
/// <remarks>
/// <para>
/// A payload starts at a base64url quantum boundary, so the bytes <c>{"iss":"ISSUER"</c> (P bytes) fix its first
/// ⌊P/3⌋ quanta exactly: those characters are the key. The P mod 3 bytes left (the issuer's end and its closing quote)
/// share the next quantum with bytes that follow, so they are checked bit by bit in its first characters. A token whose
/// characters match an anchor's key and tail holds exactly those bytes, so it routes where the decoding way would
/// (<see cref="TrustRouter"/>'s prefix way, which decodes them); anything else, a miss, is left to the decoding way.
/// </para>
/// <para>
/// Only issuers of printable ASCII without <c>"</c> or <c>\</c> are here (others need the decoding way's unescaping).
/// Keys of different lengths are probed one length at a time, so only the <see cref="MaxLengths"/> lengths most anchors
/// share are probed; anchors of other lengths route by decoding. Keys come from configuration only, never from tokens,
/// so an unseeded hash is safe: a token cannot add to a chain, only probe one. Measured on the 2-vCPU CI VM, for the
/// benchmark token (a 28-character issuer, 52 characters of prefix, two anchors): decoding those characters took
/// 29–45 ns of the decoding way's 63–70 ns; <see cref="Find"/> takes about 19 ns (two lengths probed, each an XXH3 of the
/// key's characters, a compare and the tail), and the whole route 28 ns (fastest of ten blocks of 2,000,000 calls; 40 ns
/// in a short BenchmarkDotNet run), once the anchor's use is noted without a clock read (<see cref="JwksKeyProvider"/>).
/// </para>
/// </remarks>
internal sealed class EncodedIssuers
{
    /// <summary>How many key lengths a token is probed at, at most.</summary>
    public const int MaxLengths = 4;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>The 6-bit value of each base64url character below 128, or -1.</summary>
    private static readonly sbyte[] Values = MakeValues();

    private readonly Key?[] _table;
    private readonly int[] _lengths;

    public EncodedIssuers(IEnumerable<TrustRouter.Slot> slots)
    {
        var keys = new Dictionary<string, List<Tail>>(StringComparer.Ordinal);
        foreach (TrustRouter.Slot slot in slots)
        {
            if (!IsPlain(slot.Issuer))
            {
                continue;
            }

            byte[] prefix = Encoding.ASCII.GetBytes("{\"iss\":\"" + slot.Issuer + "\"");
            int whole = prefix.Length / 3 * 3;
            string key = Convert.ToBase64String(prefix, 0, whole).Replace('+', '-').Replace('/', '_');
            if (!keys.TryGetValue(key, out List<Tail>? tails))
            {
                keys.Add(key, tails = []);
            }

            tails.Add(new Tail(prefix.AsSpan(whole), slot));
        }

        _table = new Key?[Math.Max(4, (int)BitOperations.RoundUpToPowerOf2((uint)(keys.Count * 2)))];
        foreach ((string chars, List<Tail> tails) in keys)
        {
            int at = (int)Hash(chars) & (_table.Length - 1);
            while (_table[at] is not null)
            {
                at = (at + 1) & (_table.Length - 1);
            }

            _table[at] = new Key(chars, Hash(chars), [.. tails]);
        }

        _lengths = [.. keys.GroupBy(pair => pair.Key.Length).OrderByDescending(g => g.Sum(pair => pair.Value.Count)).Take(MaxLengths).Select(g => g.Key)];
    }

    /// <summary>The anchor whose issuer <paramref name="payload"/> (a token's characters from its payload on) starts with as <c>{"iss":"ISSUER"</c>; null when none is found this way.</summary>
    public TrustRouter.Slot? Find(ReadOnlySpan<char> payload)
    {
        foreach (int length in _lengths)
        {
            if (payload.Length < length + 3)
            {
                continue; // the tail may take up to three more characters
            }

            ReadOnlySpan<char> chars = payload[..length];
            ulong hash = Hash(chars);
            for (int at = (int)hash & (_table.Length - 1); _table[at] is { } key; at = (at + 1) & (_table.Length - 1))
            {
                if (key.Hash != hash || !chars.SequenceEqual(key.Chars))
                {
                    continue;
                }

                foreach (Tail tail in key.Tails)
                {
                    if (tail.Matches(payload[length..]))
                    {
                        return tail.Slot;
                    }
                }

                break; // one key per spelling
            }
        }

        return null;
    }

    private static ulong Hash(ReadOnlySpan<char> chars) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(chars));

    private static bool IsPlain(string issuer)
    {
        foreach (char c in issuer)
        {
            if (c is < ' ' or > '~' or '"' or '\\')
            {
                return false;
            }
        }

        return issuer.Length > 0;
    }

    private static int ValueOf(char c) => c < 128 ? Values[c] : -1;

    private static sbyte[] MakeValues()
    {
        sbyte[] values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (int i = 0; i < Alphabet.Length; i++)
        {
            values[Alphabet[i]] = (sbyte)i;
        }

        return values;
    }

    private sealed record Key(string Chars, ulong Hash, Tail[] Tails);

    /// <summary>
    /// The 0, 1 or 2 bytes of <c>ISSUER"</c> after the key's whole quanta: in the next quantum they fill
    /// <see cref="_whole"/> characters and the high bits of one more (2 bits for one byte, 4 for two).
    /// </summary>
    private sealed class Tail
    {
        private readonly int _bits;
        private readonly int[] _whole;
        private readonly int _partial;

        public Tail(ReadOnlySpan<byte> bytes, TrustRouter.Slot slot)
        {
            Slot = slot;
            _bits = bytes.Length * 8;
            int value = bytes.Length switch
            {
                0 => 0,
                1 => bytes[0] << 16,
                _ => (bytes[0] << 16) | (bytes[1] << 8),
            };
            _whole = [.. Enumerable.Range(0, _bits / 6).Select(i => (value >> (18 - (6 * i))) & 0x3F)];
            int left = _bits % 6; // 2 or 4 bits, or none
            _partial = left == 0 ? 0 : (value >> (18 - (6 * _whole.Length))) & 0x3F;
        }

        public TrustRouter.Slot Slot { get; }

        public bool Matches(ReadOnlySpan<char> next)
        {
            if (_bits == 0)
            {
                return true;
            }

            for (int i = 0; i < _whole.Length; i++)
            {
                if (ValueOf(next[i]) != _whole[i])
                {
                    return false;
                }
            }

            int partial = ValueOf(next[_whole.Length]);
            int left = _bits % 6;
            int mask = (0x3F << (6 - left)) & 0x3F; // the character's high bits that the tail fills
            return partial >= 0 && (partial & mask) == _partial;
        }
    }
}
