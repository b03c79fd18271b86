using PortkeyJwt.Redis.Internal;

namespace PortkeyJwt.Redis.Tests;

/// <summary>The snapshot's binary layout on its own: what is written is read back, and anything wrong rejects the whole snapshot.</summary>
public sealed class RevocationSnapshotTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(2_000_000_000);
    private const long Before = 1_900_000_000;

    private static readonly Revocation[] EveryKind =
    [
        Revocation.Token("jti-1", At),
        Revocation.Token("jti-1", At, issuer: "https://a.example"),
        Revocation.Token("jti-2", At.AddSeconds(1), issuer: "https://a.example"),
        Revocation.Token("jti-é-日本", At, issuer: "https://b.example"),
        Revocation.OrganisationIssuedBefore("org-1", At),
        Revocation.OrganisationIssuedBefore("org-1", At, issuer: "https://b.example"),
        Revocation.WorkspaceIssuedBefore("org-1", "ws:1", At),
        Revocation.UserIssuedBefore("org-1", "ada@example.com", At, issuer: "https://a.example"),
        Revocation.UserIssuedBefore("org-1", "ws:1", At),
    ];

    [Fact]
    public void WriteThenRead_RoundTripsEveryKind_WithTheVersionAndTheAnchorChange()
    {
        byte[] snapshot = RevocationSnapshot.Write(EveryKind, EveryKind.Length, version: 42, anchorChange: "[\"token\",null,\"jti-1\",null,5]", Before);

        Assert.True(RevocationSnapshot.TryRead(snapshot, Before, out long version, out string? anchor, out List<Revocation>? entries));
        Assert.Equal(42, version);
        Assert.Equal("[\"token\",null,\"jti-1\",null,5]", anchor);
        Assert.Equal(EveryKind, entries);
        Assert.True(RevocationSnapshot.TryReadVersion(snapshot, out long headerVersion));
        Assert.Equal(42, headerVersion);
    }

    [Fact]
    public void Issuers_AreWrittenOnce()
    {
        const string issuer = "https://a-long-issuer-name.example.com/tenants/0123456789";
        Revocation[] many = [.. Enumerable.Range(0, 100).Select(i => Revocation.Token("j" + i, At, issuer))];

        byte[] snapshot = RevocationSnapshot.Write(many, many.Length, 1, "x", Before);

        Assert.True(snapshot.Length < issuer.Length * 2 + 100 * 16, $"{snapshot.Length} bytes");
        Assert.True(RevocationSnapshot.TryRead(snapshot, Before, out _, out _, out List<Revocation>? entries));
        Assert.All(entries, entry => Assert.Same(entries[0].Issuer, entry.Issuer));
    }

    [Fact]
    public void TokenEntries_WhoseTimeHasPassed_AreLeftOutByWriterAndReader()
    {
        Revocation[] entries = [Revocation.Token("early", At.AddSeconds(-10)), Revocation.Token("late", At.AddSeconds(10)), Revocation.OrganisationIssuedBefore("o", At.AddSeconds(-10))];

        byte[] written = RevocationSnapshot.Write(entries, 3, 1, "x", At.ToUnixTimeSeconds());
        byte[] all = RevocationSnapshot.Write(entries, 3, 1, "x", Before);

        Assert.True(RevocationSnapshot.TryRead(written, Before, out _, out _, out List<Revocation>? fromWriter));
        Assert.Equal([entries[1], entries[2]], fromWriter);
        Assert.True(RevocationSnapshot.TryRead(all, At.ToUnixTimeSeconds(), out _, out _, out List<Revocation>? fromReader));
        Assert.Equal([entries[1], entries[2]], fromReader); // a watermark's time passing changes nothing: it stays in force
    }

    public static TheoryData<string> Corruptions =>
    [
        "empty", "magic only", "another format", "version zero", "version not digits", "truncated by one byte", "half",
        "one byte more", "entry count too large", "issuer count too large", "issuer index out of range", "unknown kind",
        "invalid UTF-8", "control character in an identifier", "identifier too long", "time out of range",
    ];

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Corrupt_IsRejectedWhole(string corruption)
    {
        Revocation[] one = [Revocation.Token("abc", At, issuer: "https://a.example")];
        byte[] good = RevocationSnapshot.Write(one, 1, 7, "x", Before);
        Assert.True(RevocationSnapshot.TryRead(good, Before, out _, out _, out _));
        // Offsets in the single-entry snapshot: 5 magic, 20 version, 4+1 anchor "x", 4 issuer count, 1+17 issuer,
        // 4 entry count, then kind, time (8), issuer index, length 3, "abc".
        const int issuerCount = 30, entryCount = 52, kind = 56, time = 57, issuerIndex = 65, jtiLength = 66, jti = 67;
        byte[] bad = corruption switch
        {
            "empty" => [],
            "magic only" => good[..5],
            "another format" => [.. "PKRS2"u8, .. good[5..]],
            "version zero" => [.. good[..5], .. "00000000000000000000"u8, .. good[25..]],
            "version not digits" => [.. good[..5], .. "0000000000000000000x"u8, .. good[25..]],
            "truncated by one byte" => good[..^1],
            "half" => good[..(good.Length / 2)],
            "one byte more" => [.. good, 0],
            "entry count too large" => Patched(good, entryCount, 2),
            "issuer count too large" => Patched(good, issuerCount, 9),
            "issuer index out of range" => Patched(good, issuerIndex, 2),
            "unknown kind" => Patched(good, kind, 4),
            "invalid UTF-8" => Patched(good, jti, 0xFF),
            "control character in an identifier" => Patched(good, jti, 0x0A),
            "identifier too long" => Patched(good, jtiLength, 0xFF),
            "time out of range" => Patched(good, time + 7, 0x7F),
            _ => throw new ArgumentOutOfRangeException(nameof(corruption)),
        };

        Assert.False(RevocationSnapshot.TryRead(bad, Before, out _, out _, out List<Revocation>? entries));
        Assert.Null(entries);
    }

    private static byte[] Patched(byte[] snapshot, int offset, byte value)
    {
        byte[] copy = [.. snapshot];
        copy[offset] = value;
        return copy;
    }
}
