using System.Buffers.Text;
using System.Text;
using PortkeyJwt.Internal;
using static PortkeyJwt.Tests.Trust.Trust;

namespace PortkeyJwt.Tests.Trust;

/// <summary>
/// The encoded-prefix way of routing (<see cref="EncodedIssuers"/>): a payload whose characters spell
/// <c>{"iss":"ISSUER"</c> finds that anchor, and nothing else ever finds an anchor whose issuer is not the payload's
/// first <c>iss</c>. Issuers here differ by one character at the end, so every byte of a key's last quantum counts.
/// </summary>
public sealed class EncodedIssuersTests
{
    /// <summary>Lengths 1 to 9 and 21 to 23: every remainder of a prefix's length by 3, several sharing whole quanta.</summary>
    private static readonly string[] Issuers =
        ["a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh", "abcdefghi", IssuerA, IssuerA + "/", IssuerA + "/x"];

    private static readonly string[] Continuations = ["}", ",\"sub\":\"u\"}", ",\"a\":1,\"b\":[true]}", "  ,\"x\":null}", "\n}"];

    public static TheoryData<string, string> EveryAnchorAndContinuation()
    {
        var rows = new TheoryData<string, string>();
        foreach (string issuer in Issuers)
        {
            foreach (string rest in Continuations)
            {
                rows.Add(issuer, rest);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(EveryAnchorAndContinuation))]
    public void Payload_SpellingAnAnchorsIssuerFirst_FindsThatAnchor(string issuer, string rest)
    {
        using TrustAnchorSet trust = Many(Issuers);

        TrustRouter.Slot? found = Found(trust, Payload(issuer, rest));

        // Key lengths (characters of whole quanta of {"iss":"ISSUER"): 12 for a and ab, 16 for abc to abcde, 20 for
        // abcdef to abcdefgh, 24 for abcdefghi, 40 for the three idp-a issuers. Only the four lengths most anchors
        // share are probed, so abcdefghi alone is left to the decoding way.
        Assert.Equal(issuer == "abcdefghi" ? null : issuer, found?.Issuer);
    }

    [Fact]
    public void Payload_OfAnIssuerAtAProbedLength_IsFoundForEveryContinuation()
    {
        string[] oneLength = ["https://idp-a.example", "https://idp-b.example", "https://idp-c.example"];
        using TrustAnchorSet trust = Many(oneLength);

        foreach (string issuer in oneLength)
        {
            foreach (string rest in Continuations)
            {
                Assert.Equal(issuer, Found(trust, Payload(issuer, rest))?.Issuer);
            }
        }
    }

    public static TheoryData<string> NearMisses =>
    [
        .. Issuers.SelectMany(issuer => new[] { issuer + "x", issuer + "!", issuer + "#", issuer + " ", issuer[..^1], issuer[..^1] + "Z", "Q" + issuer[1..], issuer.ToUpperInvariant() + "!" })
            .Where(candidate => !Issuers.Contains(candidate)).Distinct(),
    ];

    [Theory]
    [MemberData(nameof(NearMisses))]
    public void Payload_OfAnIssuerNoAnchorHas_FindsNothing(string issuer)
    {
        using TrustAnchorSet trust = Many(Issuers);

        foreach (string rest in Continuations)
        {
            Assert.Null(Found(trust, Payload(issuer, rest)));
        }
    }

    [Theory]
    [InlineData("{\"sub\":\"x\",\"iss\":\"abc\"}")] // iss not first
    [InlineData("{ \"iss\":\"abc\"}")] // whitespace before it
    [InlineData("{\"iss\":\"ab\\u0063\"}")] // escaped: the decoding way unescapes
    [InlineData("{\"iss\" :\"abc\"}")]
    [InlineData("{\"iss\":\"abc\\\"\"}")] // a quote inside the value: "abc\"" is not abc
    [InlineData("{\"iss\":[\"abc\"]}")]
    public void Payload_NotSpellingIssFirstPlainly_FindsNothing(string payload)
    {
        using TrustAnchorSet trust = Many(Issuers);

        Assert.Null(Found(trust, Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload)) + ".sig"));
    }

    [Theory]
    [InlineData("abcd")] // one byte after the key's whole quanta: the quote
    [InlineData("abcde")] // two bytes
    public void Payload_WhoseTailCharactersAreNotBase64Url_FindsNothing(string issuer)
    {
        using TrustAnchorSet trust = Many([issuer]);
        string good = Payload(issuer, ",\"sub\":\"u\"}");
        Assert.Equal(issuer, Found(trust, good)?.Issuer);
        int keyLength = (8 + issuer.Length + 1) / 3 * 4;

        int tailChars = ((8 + issuer.Length + 1) % 3) + 1; // the characters that hold the tail's bytes

        foreach (char bad in ".=+/ ")
        {
            for (int at = keyLength; at < keyLength + tailChars; at++)
            {
                Assert.Null(Found(trust, good[..at] + bad + good[(at + 1)..]));
            }
        }

        Assert.Null(Found(trust, good[..keyLength])); // too short to judge: left to the decoding way
    }

    [Fact]
    public void AnchorsAtLengthsPastTheProbedOnes_AreLeftToTheDecodingWay_AndStillRoute()
    {
        // Five key lengths (a quantum apart), one anchor each but the first, which has two: four lengths are probed.
        string[] issuers = ["https://x.example/", "https://y.example/", .. Enumerable.Range(1, 4).Select(k => "https://x.example/" + new string('a', 3 * k))];
        using TrustAnchorSet trust = Many(issuers);

        int found = issuers.Count(issuer => Found(trust, Payload(issuer, "}"))?.Issuer == issuer);
        Assert.Equal(issuers.Length - 1, found);
        foreach (string issuer in issuers)
        {
            string token = "e30." + Payload(issuer, ",\"sub\":\"u\"}");
            Assert.Null(trust.Router.Route(token, out PortkeyJwtValidator? target));
            Assert.Same(trust.Router.Slots[issuer].Validator, target);
        }
    }

    [Fact]
    public void IssuerNotPlainAscii_IsLeftToTheDecodingWay()
    {
        using TrustAnchorSet trust = Many(["https://idp-é.example"]);

        Assert.Null(Found(trust, Payload("https://idp-é.example", "}")));
    }

    private static TrustAnchorSet Many(string[] issuers) => Set(anchors: [.. issuers.Select(issuer => Anchor(issuer, [KeyA], "*"))]);

    private static TrustRouter.Slot? Found(TrustAnchorSet trust, string payloadAndRest) =>
        new EncodedIssuers(trust.Router.Slots.Values).Find(payloadAndRest);

    /// <summary>The payload's characters (base64url of <c>{"iss":"ISSUER"</c> and <paramref name="rest"/>), then a signature segment.</summary>
    private static string Payload(string issuer, string rest) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("{\"iss\":\"" + issuer + "\"" + rest)) + ".c2ln";
}
