using System.Text;
using PortkeyJwt.Internal;

namespace PortkeyJwt;

public sealed partial class PortkeyJwtValidator
{
    /// <summary>Longer header segments are not remembered (real ones are under 200 characters), bounding each thread's memo.</summary>
    private const int MaxRememberedHeaderLength = 1024;

    private static long s_lastId;

    /// <summary>
    /// Per thread, the header segment of the last token this thread rejected twice in a row for naming a kid the key set
    /// lacks (a client retrying with a token signed by a rotated-away key, or a flood of one forged token).
    /// </summary>
    [ThreadStatic]
    private static UnknownKidMemo? t_unknownKid;

    /// <summary>Per thread, a hash of the last unknown-kid rejection (validator, header length, raw kid); see <see cref="NoteUnknownKid"/>.</summary>
    [ThreadStatic]
    private static int t_lastUnknownKidHash;

    /// <summary>Tells this validator's memos from another's on the same thread (their options differ).</summary>
    private readonly long _id = Interlocked.Increment(ref s_lastId);

    /// <summary>
    /// A repeat of the token this thread has just rejected for an unknown kid is answered without decoding and parsing its
    /// header again: the same header segment under the same (immutable) options always passes the header policy and names
    /// the same kid. Only the key set is consulted again, so a kid that has arrived since is validated in full.
    /// </summary>
    /// <returns>
    /// False when the shortcut does not apply (the full path runs). True with <paramref name="result"/> set, or with a null
    /// result and <paramref name="fetchFor"/> set when the provider may fetch for the kid.
    /// </returns>
    /// <remarks>
    /// The validated-token cache is skipped too, soundly: a cache hit requires the key that verified the token to be in
    /// the current set, and this kid is not.
    /// </remarks>
    private bool TryRepeatOfUnknownKid(string token, bool mayFetch, out PortkeyJwtResult? result, out string? fetchFor)
    {
        result = null;
        fetchFor = null;
        UnknownKidMemo? memo = t_unknownKid;
        if (memo is null || memo.ValidatorId != _id)
        {
            return false;
        }

        // The same header segment, then the same structure rule as the full path (anything else is left to it).
        int dot1 = memo.HeaderSegment.Length;
        if (token.Length <= dot1 || token[dot1] != '.' || !token.AsSpan(0, dot1).SequenceEqual(memo.HeaderSegment))
        {
            return false;
        }

        int dot2 = token.IndexOf('.', dot1 + 1);
        if (dot2 < 0 || dot2 == dot1 + 1 || token.AsSpan(dot2 + 1).Contains('.'))
        {
            return false;
        }

        KeySetSnapshot? keys = _keys.Current;
        if (keys is null || keys.TryGetKey(memo.Kid, out _))
        {
            return false;
        }

        if (mayFetch && _keys.ShouldFetchFor(memo.Kid))
        {
            fetchFor = memo.Kid;
            return true;
        }

        // As in the full path: a fetch may have published the kid between the two reads.
        KeySetSnapshot? latest = _keys.Current;
        if (latest is not null && !ReferenceEquals(latest, keys) && latest.TryGetKey(memo.Kid, out _))
        {
            return false;
        }

        result = Failures.UnknownKey;
        return true;
    }

    /// <summary>
    /// Called when the full path rejects a token for an unknown kid: the second time in a row on this thread that the same
    /// kid is rejected so, its header is remembered. Distinct kids (a random-kid flood) never allocate. The hash (of the
    /// validator, the header's length and the raw kid; HashCode is seeded per process) only decides when to allocate: the
    /// memo itself compares the whole header segment.
    /// </summary>
    private void NoteUnknownKid(string token, int dot1, ReadOnlySpan<byte> header, JsonSyntax.Member kid)
    {
        if (dot1 > MaxRememberedHeaderLength)
        {
            return;
        }

        var hash = default(HashCode);
        hash.Add(_id);
        hash.Add(dot1);
        hash.AddBytes(kid.RawString(header));
        int value = hash.ToHashCode();
        if (value != t_lastUnknownKidHash)
        {
            t_lastUnknownKidHash = value;
            return;
        }

        UnknownKidMemo? memo = t_unknownKid;
        if (memo is not null && memo.ValidatorId == _id && token.AsSpan(0, dot1).SequenceEqual(memo.HeaderSegment))
        {
            return; // already remembered (the full path ran because the kid was looked up again)
        }

        string? name = KidString(header, kid);
        if (name is not null)
        {
            t_unknownKid = new UnknownKidMemo(_id, token[..dot1], name);
        }
    }

    /// <summary>For tests: whether this thread remembers <paramref name="token"/>'s header as naming an unknown kid.</summary>
    internal bool RemembersUnknownKid(string token) =>
        t_unknownKid is { } memo && memo.ValidatorId == _id && token.Length > memo.HeaderSegment.Length
        && token[memo.HeaderSegment.Length] == '.' && token.StartsWith(memo.HeaderSegment, StringComparison.Ordinal);

    /// <summary>The kid as a string; null when it cannot be one a key set holds (too long, or not unescapable).</summary>
    private static string? KidString(ReadOnlySpan<byte> header, JsonSyntax.Member kid)
    {
        ReadOnlySpan<byte> raw = kid.RawString(header);
        if (raw.Length > MaxKeyIdBytes)
        {
            return null;
        }

        if (!kid.ValueEscaped)
        {
            return Encoding.UTF8.GetString(raw); // JsonSyntax has checked it is valid UTF-8
        }

        Span<char> buffer = stackalloc char[MaxKeyIdBytes];
        var reader = JsonRead.At(header, kid.ValueStart);
        return JsonRead.TryCopyString(ref reader, buffer, out int length) ? buffer[..length].ToString() : null;
    }

    private sealed class UnknownKidMemo(long validatorId, string headerSegment, string kid)
    {
        public long ValidatorId { get; } = validatorId;

        public string HeaderSegment { get; } = headerSegment;

        public string Kid { get; } = kid;
    }
}
