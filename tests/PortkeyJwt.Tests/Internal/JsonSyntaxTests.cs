using System.Text;
using System.Text.Json;
using PortkeyJwt.Internal;

namespace PortkeyJwt.Tests.Internal;

/// <summary>
/// <see cref="JsonSyntax.IsObject"/> accepts exactly one RFC 8259 JSON object and never throws; whatever it accepts,
/// <see cref="Utf8JsonReader"/> and <see cref="JsonDocument"/> must then read without throwing.
/// </summary>
public sealed class JsonSyntaxTests
{
    private static readonly string[] Accepted =
    [
        "{}",
        " \t\r\n{ } \n",
        "{\"a\":1}",
        "{\"\":\"\"}",
        "{\"a\":-0,\"b\":0.5,\"c\":-12.34e-10,\"d\":1E+2,\"e\":6.02e23,\"f\":0e0}",
        "{\"a\":true,\"b\":false,\"c\":null}",
        "{\"a\":[],\"b\":{},\"c\":[1,\"x\",{\"d\":[null]},[[]]]}",
        "{ \"a\" : [ 1 , 2 ] , \"b\" : { } }",
        "{\"a\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"}",
        "{\"a\":\"\\u0041\\u00e9\\u00E9\\uFFFF\\u0000\"}",
        "{\"a\":\"\\ud83d\\ude00\",\"\\uD800\\uDC00\":1}",
        "{\"é\":\"ключ 🔑 中文\"}",
        "{\"a\":\"\u007f\u0080\uffff\"}",
        "{\"a\":1,\"a\":2}", // duplicates are a semantic question, answered by the callers
    ];

    public static TheoryData<string> AcceptedText => new(Accepted);

    public static TheoryData<string> RejectedText => new()
    {
        // Not exactly one object.
        string.Empty, " ", "[]", "[{}]", "\"x\"", "1", "null", "true",
        "{}x", "{}{}", "{} 1", "{}\0", "{},",

        // Unterminated.
        "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":\"x", "{\"a\":\"x}", "{\"a\":[", "{\"a\":[1", "{\"a\":{}", "{\"a\":\"\\",

        // Structure.
        "{\"a\":1,}", "{\"a\":[1,]}", "{,}", "{\"a\":1,,\"b\":2}", "{\"a\" 1}", "{\"a\"::1}", "{\"a\":1 \"b\":2}",
        "{1:2}", "{null:1}", "{a:1}", "{\"a\":[}", "{\"a\":{]}", "{\"a\":]}", "{]", "{\"a\":1]",

        // Numbers outside the RFC grammar.
        "{\"a\":01}", "{\"a\":-01}", "{\"a\":00}", "{\"a\":+1}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-.5}", "{\"a\":1e}", "{\"a\":1e+}",
        "{\"a\":1.e5}", "{\"a\":-}", "{\"a\":--1}", "{\"a\":0x10}", "{\"a\":1_000}", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}",

        // Literals.
        "{\"a\":True}", "{\"a\":nul}", "{\"a\":tru}", "{\"a\":falsey}", "{\"a\":undefined}",

        // Comments, single quotes, other whitespace.
        "{/*c*/}", "{}//c", "{\"a\":1 // c\n}", "{\"a\":1 # c\n}", "{'a':1}", "{\"a\":'x'}", "{\f}", "{\u00a0}", "{\v}",

        // Raw control characters in strings.
        "{\"a\":\"\t\"}", "{\"a\":\"\n\"}", "{\"a\":\"\u0000\"}", "{\"a\":\"\u001f\"}", "{\"\r\":1}",

        // Escapes.
        "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"\\U0041\"}", "{\"a\":\"\\'\"}", "{\"a\":\"\\a\"}", "{\"a\":\"\\0\"}",
        "{\"a\":\"\\ \"}",

        // Unpaired surrogate escapes.
        "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\udc00\\ud800\"}", "{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"\\ud800x\"}",
        "{\"a\":\"\\ud800\\n\"}", "{\"a\":\"\\ud800\\ud800\"}", "{\"\\ud800\":1}", "{\"a\":\"\\ud800\\udc0\"}",
    };

    /// <summary>Byte sequences that are not well-formed UTF-8 (or not allowed), placed inside a string value.</summary>
    public static TheoryData<string, byte[]> RejectedBytes => new()
    {
        { "overlong NUL C0 80", [0xC0, 0x80] },
        { "overlong C1 BF", [0xC1, 0xBF] },
        { "overlong 3-byte E0 80 80", [0xE0, 0x80, 0x80] },
        { "overlong 4-byte F0 80 80 80", [0xF0, 0x80, 0x80, 0x80] },
        { "surrogate ED A0 80", [0xED, 0xA0, 0x80] },
        { "surrogate ED BF BF", [0xED, 0xBF, 0xBF] },
        { "truncated 2-byte C3", [0xC3] },
        { "truncated 3-byte E2 82", [0xE2, 0x82] },
        { "truncated 4-byte F0 9F 94", [0xF0, 0x9F, 0x94] },
        { "above U+10FFFF F4 90 80 80", [0xF4, 0x90, 0x80, 0x80] },
        { "F5 lead byte", [0xF5, 0x80, 0x80, 0x80] },
        { "FF byte", [0xFF] },
        { "lone continuation 80", [0x80] },
        { "continuation missing C3 41", [0xC3, 0x41] },
    };

    [Theory]
    [MemberData(nameof(AcceptedText))]
    public void WellFormedObject_IsAccepted_AndReadableBySystemTextJson(string json)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);

        Assert.True(JsonSyntax.IsObject(utf8));
        AssertSystemTextJsonReads(utf8);
    }

    [Theory]
    [MemberData(nameof(AcceptedText))]
    [InlineData("{\"alg\":\"RS256\",\"x\":{\"alg\":\"none\",\"kid\":[{\"crit\":1}]},\"kid\":\"k\\u0031\"}")]
    [InlineData(" { \"a\" : [ { \"b\" : 1 } ] , \"c\" : \"\\\"\" } ")]
    public void MemberVisitor_ReportsTheOuterMembers_AsJsonDocumentSeesThem(string json)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        var visitor = new CollectingVisitor { Members = [] };

        Assert.True(JsonSyntax.IsObject(utf8, ref visitor));

        using var document = JsonDocument.Parse(utf8);
        JsonProperty[] expected = [.. document.RootElement.EnumerateObject()];
        Assert.Equal(expected.Length, visitor.Members.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            JsonSyntax.Member member = visitor.Members[i];
            byte[] rawKey = utf8[member.KeyStart..member.KeyEnd];
            Assert.Equal(expected[i].Name, JsonSerializer.Deserialize<string>(rawKey));
            Assert.Equal(rawKey.AsSpan(1, rawKey.Length - 2).Contains((byte)'\\'), member.KeyEscaped);
            string rawValue = Encoding.UTF8.GetString(utf8[member.ValueStart..member.ValueEnd]);
            Assert.Equal(expected[i].Value.GetRawText(), rawValue);
            Assert.Equal(expected[i].Value.ValueKind == JsonValueKind.String && rawValue.Contains('\\', StringComparison.Ordinal), member.ValueEscaped);
        }
    }

    [Theory]
    [MemberData(nameof(RejectedText))]
    public void MalformedOrNonObject_IsRejected(string json) =>
        Assert.False(JsonSyntax.IsObject(Encoding.UTF8.GetBytes(json)));

    [Theory]
    [MemberData(nameof(RejectedBytes))]
    public void InvalidUtf8InString_IsRejected(string description, byte[] bytes)
    {
        Assert.False(JsonSyntax.IsObject([.. "{\"a\":\""u8, .. bytes, .. "\"}"u8]), $"{description} in a value");
        Assert.False(JsonSyntax.IsObject([.. "{\""u8, .. bytes, .. "\":1}"u8]), $"{description} in a name");
    }

    /// <summary>
    /// Strings are scanned sixteen bytes at a time, the last block overlapping the one before: a byte that ends plain
    /// content must be found at any offset from the string's start and from the end of the input, in a value and in a name.
    /// </summary>
    [Theory]
    [InlineData(new byte[] { 0x41 }, true)] // plain
    [InlineData(new byte[] { 0x7F }, true)] // DEL may stand raw in a string
    [InlineData(new byte[] { 0x20 }, true)] // the lowest printable byte
    [InlineData(new byte[] { 0x00 }, false)]
    [InlineData(new byte[] { 0x1F }, false)]
    [InlineData(new byte[] { 0x5C, 0x6E }, true)] // \n
    [InlineData(new byte[] { 0x5C, 0x78 }, false)] // \x
    [InlineData(new byte[] { 0xC3, 0xA9 }, true)] // é
    [InlineData(new byte[] { 0xE2, 0x82, 0xAC }, true)] // €
    [InlineData(new byte[] { 0x80 }, false)] // a lone continuation byte
    [InlineData(new byte[] { 0xC3 }, false)] // a truncated sequence
    [InlineData(new byte[] { 0xFF }, false)]
    [InlineData(new byte[] { 0x22, 0x22 }, false)] // a quote ends the string early, and what follows is not JSON
    public void ByteThatEndsPlainContent_IsJudgedAlike_AtEveryOffset(byte[] special, bool accepted)
    {
        for (int before = 0; before <= 40; before++)
        {
            for (int after = 0; after <= 20; after++)
            {
                byte[] text = [.. Enumerable.Repeat((byte)'a', before), .. special, .. Enumerable.Repeat((byte)'b', after)];
                Assert.True(accepted == JsonSyntax.IsObject([.. "{\"k\":\""u8, .. text, .. "\"}"u8]), $"value, {before} bytes before, {after} after");
                Assert.True(accepted == JsonSyntax.IsObject([.. "{\""u8, .. text, .. "\":1}"u8]), $"name, {before} bytes before, {after} after");
            }
        }
    }

    [Fact]
    public void UnterminatedString_IsRejected_AtEveryLength()
    {
        for (int length = 0; length <= 40; length++)
        {
            byte[] open = [.. "{\"k\":\""u8, .. Enumerable.Repeat((byte)'a', length)];
            Assert.False(JsonSyntax.IsObject(open), $"{length} bytes, nothing after");
            Assert.False(JsonSyntax.IsObject([.. open, (byte)'}']), $"{length} bytes, then a brace");
        }
    }

    [Fact]
    public void ByteOrderMark_IsRejected()
    {
        Assert.False(JsonSyntax.IsObject([0xEF, 0xBB, 0xBF, .. "{}"u8]));
        Assert.True(JsonSyntax.IsObject("{\"a\":\"\uFEFF\"}"u8)); // U+FEFF inside a string is just a character
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(64)]
    public void NestingToExactlyMaxDepth_IsAccepted_OneMoreIsRejected(int maxDepth)
    {
        Assert.True(JsonSyntax.IsObject(Nested(maxDepth, arrays: false), maxDepth));
        Assert.True(JsonSyntax.IsObject(Nested(maxDepth, arrays: true), maxDepth));
        Assert.False(JsonSyntax.IsObject(Nested(maxDepth + 1, arrays: false), maxDepth));
        Assert.False(JsonSyntax.IsObject(Nested(maxDepth + 1, arrays: true), maxDepth));
    }

    [Fact]
    public void DefaultMaxDepth_Is64()
    {
        Assert.True(JsonSyntax.IsObject(Nested(64, arrays: false)));
        Assert.False(JsonSyntax.IsObject(Nested(65, arrays: false)));
        Assert.False(JsonSyntax.IsObject(Nested(65, arrays: true)));
        AssertSystemTextJsonReads(Nested(64, arrays: false));
        AssertSystemTextJsonReads(Nested(64, arrays: true));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void MaxDepthOutOfRange_IsMisuse(int maxDepth) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonSyntax.IsObject("{}"u8, maxDepth));

    /// <summary>
    /// Every depth-limited document JsonSyntax accepts must parse with <see cref="JsonDocument"/> at the same MaxDepth,
    /// as <see cref="JwksParser"/> relies on (it checks depth 16, then parses with MaxDepth 16).
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(64)]
    public void AcceptedAtDepth_ParsesWithJsonDocumentAtTheSameMaxDepth(int maxDepth)
    {
        foreach (bool arrays in new[] { false, true })
        {
            byte[] json = Nested(maxDepth, arrays);
            Assert.True(JsonSyntax.IsObject(json, maxDepth));
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = maxDepth });
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        }
    }

    /// <summary>
    /// Mutates the accepted rows byte by byte (fixed seed) and checks the promise the validator depends on: whatever
    /// JsonSyntax accepts, System.Text.Json reads to the end without throwing. JsonSyntax itself must never throw.
    /// </summary>
    [Fact]
    public void MutatedInputs_AcceptedBySyntax_NeverMakeSystemTextJsonThrow()
    {
        byte[][] seeds = [.. Accepted.Select(Encoding.UTF8.GetBytes)];
        byte[] alphabet = [.. "{}[]\":,\\ \t0123456789-+.eEtrufalsn/*'"u8, 0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC3, 0xA9, 0xED, 0xA0, 0xEF, 0xF0, 0xF5, 0xFF];
        var random = new Random(20260601);
        int accepted = 0;
        var failures = new List<string>();

        for (int k = 0; k < 20_000; k++)
        {
            byte[] input = Mutate(seeds[random.Next(seeds.Length)], random, alphabet);
            if (!JsonSyntax.IsObject(input))
            {
                continue;
            }

            accepted++;
            try
            {
                AssertSystemTextJsonReads(input);
            }
            catch (JsonException ex)
            {
                failures.Add($"{Convert.ToHexString(input)}: {ex.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
        Assert.True(accepted > 1000, $"only {accepted} mutants were accepted; the property was barely exercised");
    }

    /// <summary>
    /// The converse: JsonSyntax is no stricter than RFC 8259 as System.Text.Json reads it. Every mutant that
    /// System.Text.Json reads completely as one object, unescaping every string, JsonSyntax accepts too; together with the
    /// test above the two agree on every mutant.
    /// </summary>
    [Fact]
    public void MutatedInputs_ReadBySystemTextJson_AreAcceptedBySyntax()
    {
        byte[][] seeds = [.. Accepted.Select(Encoding.UTF8.GetBytes)];
        byte[] alphabet = [.. "{}[]\":,\\ \t0123456789-+.eEtrufalsn/u"u8, 0x00, 0x1F, 0x80, 0xC3, 0xA9, 0xED, 0xFF];
        var random = new Random(20261126);
        int read = 0;
        var failures = new List<string>();

        for (int k = 0; k < 20_000; k++)
        {
            byte[] input = Mutate(seeds[random.Next(seeds.Length)], random, alphabet);
            if (!SystemTextJsonReadsAsObject(input))
            {
                continue;
            }

            read++;
            if (!JsonSyntax.IsObject(input))
            {
                failures.Add(Convert.ToHexString(input));
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
        Assert.True(read > 1000, $"only {read} mutants were read; the property was barely exercised");
    }

    private static bool SystemTextJsonReadsAsObject(byte[] utf8)
    {
        try
        {
            AssertSystemTextJsonReads(utf8);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or Xunit.Sdk.XunitException)
        {
            return false;
        }
    }

    private static void AssertSystemTextJsonReads(byte[] utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
            {
                // Unescaping is where lone surrogates and bad UTF-8 would surface.
                _ = reader.GetString();
            }
        }

        Assert.Equal(utf8.Length, reader.BytesConsumed);
        using JsonDocument document = JsonDocument.Parse(utf8);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    private static byte[] Mutate(byte[] seed, Random random, byte[] alphabet)
    {
        var bytes = new List<byte>(seed);
        int edits = 1 + random.Next(3);
        for (int e = 0; e < edits; e++)
        {
            int at = random.Next(bytes.Count + 1);
            byte b = alphabet[random.Next(alphabet.Length)];
            switch (random.Next(3))
            {
                case 0:
                    bytes.Insert(at, b);
                    break;
                case 1 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    break;
                default:
                    if (at < bytes.Count)
                    {
                        bytes[at] = b;
                    }

                    break;
            }
        }

        return [.. bytes];
    }

    /// <summary>An object nesting <paramref name="depth"/> containers in total: {"a":{"a":{}}} or {"a":[[]]}.</summary>
    private static byte[] Nested(int depth, bool arrays)
    {
        string inner = depth == 1 ? string.Empty
            : arrays ? $"\"a\":{new string('[', depth - 1)}{new string(']', depth - 1)}"
            : string.Concat(Enumerable.Repeat("\"a\":{", depth - 1)) + new string('}', depth - 1);
        return Encoding.UTF8.GetBytes("{" + inner + "}");
    }

    private struct CollectingVisitor : JsonSyntax.IMemberVisitor
    {
        public List<JsonSyntax.Member> Members;

        public readonly void Visit(ReadOnlySpan<byte> json, JsonSyntax.Member member) => Members.Add(member);
    }
}
