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
        if (memo is null || !memo.IsHeaderOf(_id, token) || !TwoSegmentsFollow(token, memo.HeaderSegment.Length, out _))
        {
            return false; // not a repeat, or a structure the full path reports
        }

        KeySetSnapshot? keys = _keys.Current;
        if (keys is null || LookUp(ref keys, memo.Kid, memo.Kid, mayFetch, ref fetchFor) is not null)
        {
            return false; // no key set, or the kid has arrived: validate in full
        }

        result = fetchFor is null ? Failures.UnknownKey : null;
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

        if (t_unknownKid?.IsHeaderOf(_id, token) == true)
        {
            return; // already remembered (the full path ran because the kid was looked up again)
        }

        ReadOnlySpan<byte> raw = kid.RawString(header);
        if (raw.Length <= MaxKeyIdBytes) // a longer kid cannot name a key; the full path rejects it before any lookup
        {
            Span<char> name = stackalloc char[raw.Length];
            t_unknownKid = new UnknownKidMemo(_id, token[..dot1], name[..CopyKid(header, kid, name)].ToString());
        }
    }

    /// <summary>For tests: whether this thread remembers <paramref name="token"/>'s header as naming an unknown kid.</summary>
    internal bool RemembersUnknownKid(string token) => t_unknownKid?.IsHeaderOf(_id, token) == true;

    private sealed class UnknownKidMemo(long validatorId, string headerSegment, string kid)
    {
        public long ValidatorId { get; } = validatorId;

        public string HeaderSegment { get; } = headerSegment;

        public string Kid { get; } = kid;

        /// <summary>Whether <paramref name="token"/>, under the validator <paramref name="validatorId"/>, starts with this header segment and its dot.</summary>
        public bool IsHeaderOf(long validatorId, string token) =>
            ValidatorId == validatorId && token.Length > HeaderSegment.Length && token[HeaderSegment.Length] == '.'
            && token.StartsWith(HeaderSegment, StringComparison.Ordinal);
    }
}
