using System.Buffers.Text;

namespace PortkeyJwt.TestKit.Tests.Support;

/// <summary>Reads a minted token's header and payload, to check what the kit wrote.</summary>
internal static class Payload
{
    public static JsonObject Of(string token) => Segment(token, 1);

    public static JsonObject HeaderOf(string token) => Segment(token, 0);

    private static JsonObject Segment(string token, int index) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[index]))!.AsObject();
}
