using System.Text;
using PortkeyJwt.Internal;

namespace PortkeyJwt.Tests.Internal;

/// <summary>The UTF-8 algorithm parser (the header's hot path) reads exactly the names the UTF-16 one does.</summary>
public sealed class JwsAlgorithmsTests
{
    public static TheoryData<string> Names() => [.. JwsAlgorithms.SupportedNames];

    [Theory]
    [MemberData(nameof(Names))]
    public void Utf8Parse_ReadsEverySupportedName(string name)
    {
        JwsAlgorithm parsed = JwsAlgorithms.Parse(Encoding.ASCII.GetBytes(name));

        Assert.NotEqual(JwsAlgorithm.None, parsed);
        Assert.Equal(name, parsed.Name());
    }

    /// <summary>Every one-byte change, case change, truncation and extension of a supported name, and the forbidden names.</summary>
    [Fact]
    public void Utf8Parse_AgreesWithTheUtf16Parse_OnEveryNearMiss()
    {
        var candidates = new List<byte[]> { "none"u8.ToArray(), "HS256"u8.ToArray(), "RS25"u8.ToArray(), "RS2566"u8.ToArray(), "RSA256"u8.ToArray(), Array.Empty<byte>() };
        foreach (string name in JwsAlgorithms.SupportedNames)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(name);
            candidates.Add(Encoding.ASCII.GetBytes(name.ToLowerInvariant()));
            candidates.Add(bytes[..^1]);
            candidates.Add([.. bytes, (byte)' ']);
            for (int at = 0; at < bytes.Length; at++)
            {
                foreach (int delta in new[] { -1, 1, 0x20, 0x80 })
                {
                    byte[] mutant = (byte[])bytes.Clone();
                    mutant[at] = (byte)(mutant[at] + delta);
                    candidates.Add(mutant);
                }
            }
        }

        foreach (byte[] candidate in candidates)
        {
            JwsAlgorithm expected = JwsAlgorithms.Parse(Encoding.Latin1.GetString(candidate).AsSpan());
            Assert.Equal(expected, JwsAlgorithms.Parse(candidate));
        }

        Assert.Equal(JwsAlgorithm.None, JwsAlgorithms.Parse("RS2S6"u8));
        Assert.Equal(JwsAlgorithm.PS384, JwsAlgorithms.Parse("PS384"u8));
    }
}
