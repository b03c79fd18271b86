using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace PortkeyJwt.Tests.Hardening;

/// <summary>
/// How many cases every property runs, shared by all of them: <see cref="DefaultRuns"/> in CI, or the number in the
/// environment variable <c>PORTKEYJWT_PROPERTY_RUNS</c> for long local runs. A failure prints FsCheck's replay seed
/// ("Replay: (…)"); put it in <c>PORTKEYJWT_PROPERTY_REPLAY</c> to rerun exactly that sequence.
/// </summary>
internal static class PropertyConfig
{
    public const int DefaultRuns = 300;

    public static int Runs { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("PORTKEYJWT_PROPERTY_RUNS"), NumberStyles.None, CultureInfo.InvariantCulture, out int runs) && runs > 0
            ? runs
            : DefaultRuns;

    public static string? Replay { get; } = Environment.GetEnvironmentVariable("PORTKEYJWT_PROPERTY_REPLAY") is { Length: > 0 } replay ? replay : null;
}

/// <summary><c>[Property]</c> with the shared run count, the shared generators and the replay seed when one is set.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class HardeningPropertyAttribute : PropertyAttribute
{
    public HardeningPropertyAttribute()
    {
        MaxTest = PropertyConfig.Runs;
        Arbitrary = [typeof(Generators)];
        QuietOnSuccess = true;
        if (PropertyConfig.Replay is { } replay)
        {
            Replay = replay;
        }
    }
}

/// <summary>A Portkey claim set as the test sees it: what goes into the token and what the principal must say.</summary>
public sealed record ClaimModel(
    string Organisation,
    bool OrganisationAlias,
    string Workspace,
    bool WorkspaceAlias,
    string? Email,
    string? Subject,
    string? Uid,
    string[] RawScopes,
    bool ScopesAsArray,
    bool ScopesMember,
    string ScopeSeparator,
    decimal Expires,
    decimal? NotBefore,
    decimal? IssuedAt)
{
    /// <summary>The scopes the principal must hold: a leading <c>portkey.</c> removed, duplicates removed, first order kept.</summary>
    public string[] ExpectedScopes => [.. RawScopes.Select(s => s.StartsWith("portkey.", StringComparison.Ordinal) ? s["portkey.".Length..] : s).Distinct(StringComparer.Ordinal)];

    public string? ExpectedUserId => Email ?? Subject ?? Uid;

    public JsonObject ToClaims()
    {
        var claims = new JsonObject
        {
            [OrganisationAlias ? "organisation_id" : "portkey_oid"] = Organisation,
            [WorkspaceAlias ? "workspace_slug" : "portkey_workspace"] = Workspace,
            [ScopesMember ? "scopes" : "scope"] = ScopesAsArray ? new JsonArray([.. RawScopes.Select(s => (JsonNode)s)]) : string.Join(ScopeSeparator, RawScopes),
            ["exp"] = Expires,
        };
        Add(claims, "nbf", NotBefore);
        Add(claims, "iat", IssuedAt);
        Add(claims, "email_id", Email);
        Add(claims, "sub", Subject);
        Add(claims, "uid", Uid);
        return claims;
    }

    public override string ToString() => ToClaims().ToJsonString();

    private static void Add(JsonObject claims, string name, decimal? value)
    {
        if (value is { } v)
        {
            claims[name] = v;
        }
    }

    private static void Add(JsonObject claims, string name, string? value)
    {
        if (value is not null)
        {
            claims[name] = value;
        }
    }
}

/// <summary>One edit of a valid token's text.</summary>
public enum MutationKind
{
    ReplaceChar,
    InsertChar,
    DeleteChar,
    Truncate,
    SwapSegments,
    DuplicateSegment,
}

/// <summary>A mutation: what to do, where (a fraction of the length, so it fits any token), and with which character.</summary>
public sealed record Mutation(MutationKind Kind, double Where, char Inserted, int SegmentA, int SegmentB)
{
    public string Apply(string token)
    {
        int at = Math.Clamp((int)(Where * token.Length), 0, token.Length - 1);
        string[] parts = token.Split('.');
        switch (Kind)
        {
            case MutationKind.ReplaceChar:
                return token[..at] + Inserted + token[(at + 1)..];
            case MutationKind.InsertChar:
                return token[..at] + Inserted + token[at..];
            case MutationKind.DeleteChar:
                return token.Remove(at, 1);
            case MutationKind.Truncate:
                return token[..at];
            case MutationKind.SwapSegments:
                (parts[SegmentA], parts[SegmentB]) = (parts[SegmentB], parts[SegmentA]);
                return string.Join('.', parts);
            default:
                parts[SegmentB] = parts[SegmentA];
                return string.Join('.', parts);
        }
    }

    public override string ToString() => $"{Kind} at {Where:0.###} char U+{(int)Inserted:X4} segments {SegmentA}/{SegmentB}";
}

/// <summary>Where random JSON goes: the header, the payload, or both.</summary>
public enum Placement
{
    Header,
    Payload,
    Both,
}

/// <summary>
/// Hostile JSON bytes for the header and/or the payload. A random header gets a usable alg, typ and kid spliced in; with a
/// random header alone the payload is a claim set missing its workspace, so no case can be a valid token.
/// </summary>
public sealed record HostileJson(Placement Placement, byte[] Header, byte[] Payload)
{
    public override string ToString() =>
        $"{Placement}: header {Describe(Header)} payload {Describe(Payload)}";

    private static string Describe(byte[] bytes) =>
        bytes.Length <= 300 ? Encoding.UTF8.GetString(bytes) : $"{bytes.Length} bytes starting {Encoding.UTF8.GetString(bytes, 0, 200)}";
}

/// <summary>The FsCheck arbitraries every hardening property uses (registered by <see cref="HardeningPropertyAttribute"/>).</summary>
public static class Generators
{
    private const string IdentifierChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.@ /\"\\é中ß";
    private const string ScopeChars = "abcdefghijklmnopqrstuvwxyz0123456789._:-/*!#$%&'()+,;<=>?[]^`{|}~";

    /// <summary>Member names the random JSON uses: claim and header names (with wrong types), but never a workspace, so no claim set is ever complete.</summary>
    private static readonly string[] MemberNames =
        ["exp", "nbf", "iat", "iss", "aud", "portkey_oid", "organisation_id", "scope", "scopes", "sub", "email_id", "uid", "alg", "kid", "typ", "crit", "x", "", "é", "\u0000", "a\"b"];

    public static Arbitrary<ClaimModel> ClaimModels() => Arb.From(ClaimModelGen());

    public static Arbitrary<Mutation> Mutations() => Arb.From(
        from kind in Gen.Elements(Enum.GetValues<MutationKind>())
        from position in Gen.Choose(0, 10_000).Select(k => k / 10_000.0)
        from c in Gen.OneOf(Gen.Elements("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ?\n\t%".ToCharArray()), Gen.Choose(0, 0xFFFF).Select(k => (char)k))
        from a in Gen.Choose(0, 2)
        from b in Gen.Choose(0, 2)
        select new Mutation(kind, position, c, a, b));

    public static Arbitrary<HostileJson> HostileJsons() => Arb.From(
        from placement in Gen.Elements(Enum.GetValues<Placement>())
        from header in JsonBytes()
        from payload in JsonBytes()
        from headerFirst in Gen.Elements(true, false)
        select new HostileJson(
            placement,
            placement == Placement.Payload ? ValidHeaderBytes() : WithHeaderMembers(header, headerFirst),
            placement == Placement.Header ? ClaimsWithoutWorkspace() : payload));

    private static Gen<ClaimModel> ClaimModelGen()
    {
        long now = Tokens.NowSeconds;
        Gen<decimal> fraction = Gen.Elements(0m, 0.5m, 0.25m);
        Gen<string?> optionalId = Gen.OneOf(Gen.Constant<string?>(null), Identifier().Select(s => (string?)s));
        Gen<decimal?> optionalPast = Gen.OneOf(
            Gen.Constant<decimal?>(null),
            from offset in Gen.Choose(-1_000_000, 59) from f in fraction select (decimal?)(now + offset + (offset < 59 ? f : 0)));
        Gen<string[]> scopes =
            from pool in Gen.NonEmptyListOf(ScopeName()).Select(l => l.ToArray())
            from picks in Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(Gen.Elements(pool), n))
            from prefixed in Gen.ArrayOf(Gen.Elements(true, false), picks.Length)
            select picks.Select((s, i) => prefixed[i] ? "portkey." + s : s).ToArray();

        return
            from organisation in Identifier()
            from organisationAlias in Gen.Elements(true, false)
            from workspace in Identifier()
            from workspaceAlias in Gen.Elements(true, false)
            from email in optionalId
            from subject in optionalId
            from uid in optionalId
            from raw in scopes
            from asArray in Gen.Elements(true, false)
            from scopesMember in Gen.Elements(true, false)
            from separator in Gen.Elements(" ", "  ", "   ")
            from expOffset in Gen.Choose(-59, 1_000_000)
            from expFraction in fraction
            from nbf in optionalPast
            from iat in optionalPast
            select new ClaimModel(organisation, organisationAlias, workspace, workspaceAlias, email, subject, uid, raw, asArray, scopesMember, separator, now + expOffset + expFraction, nbf, iat);
    }

    private static Gen<string> Identifier() =>
        from length in Gen.Choose(1, 40)
        from chars in Gen.ArrayOf(Gen.Elements(IdentifierChars.ToCharArray()), length)
        select new string(chars);

    /// <summary>A scope name that stays non-empty after normalisation (so never exactly <c>portkey.</c>).</summary>
    private static Gen<string> ScopeName() =>
        from length in Gen.Choose(1, 16)
        from chars in Gen.ArrayOf(Gen.Elements(ScopeChars.ToCharArray()), length)
        select new string(chars);

    /// <summary>The default claims less the workspace: with a random header the payload is still reached, and never completes a valid token.</summary>
    private static byte[] ClaimsWithoutWorkspace() => Encoding.UTF8.GetBytes(Tokens.Claims().With(("portkey_workspace", null)).ToJsonString());

    private static byte[] ValidHeaderBytes() => Encoding.UTF8.GetBytes(Tokens.Header(TestKey.Default).ToJsonString());

    /// <summary>Random JSON with a valid alg, typ and kid added before or after it, so a random header can still reach the key.</summary>
    private static byte[] WithHeaderMembers(byte[] json, bool first)
    {
        byte[] members = """ "alg":"RS256","typ":"JWT","kid":"test-rsa-2048" """u8.ToArray();
        int open = Array.IndexOf(json, (byte)'{');
        int close = Array.LastIndexOf(json, (byte)'}');
        if (open < 0 || close < open)
        {
            return json; // not an object: the header is rejected as it is
        }

        bool empty = json.AsSpan(open + 1, close - open - 1).Trim(" \t\r\n"u8).IsEmpty;
        return first
            ? [.. json[..(open + 1)], .. members, .. (empty ? ""u8 : ","u8), .. json[(open + 1)..]]
            : [.. json[..close], .. (empty ? ""u8 : ","u8), .. members, .. json[close..]];
    }

    /// <summary>Hostile JSON text as bytes: mostly an object at the root; sometimes broken on purpose.</summary>
    private static Gen<byte[]> JsonBytes() => Gen.Frequency(
        (6, ObjectText(0).Select(Encoding.UTF8.GetBytes)),
        (1, DeepNesting()),
        (1, WideObject()),
        (1, from text in ObjectText(0) from at in Gen.Choose(0, 1000) from bad in Gen.Elements(InvalidUtf8) select Splice(Encoding.UTF8.GetBytes(text), at, bad)),
        (1, from text in ObjectText(0) from cut in Gen.Choose(0, 1000) select Encoding.UTF8.GetBytes(text[..Math.Min(cut, text.Length)])));

    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xE2, 0x82], [0xFE, 0xFF]];

    private static byte[] Splice(byte[] text, int at, byte[] inserted)
    {
        int i = Math.Min(at, text.Length);
        return [.. text[..i], .. inserted, .. text[i..]];
    }

    private static Gen<byte[]> DeepNesting() =>
        from depth in Gen.Choose(1, 200)
        from arrays in Gen.Elements(true, false)
        select Encoding.UTF8.GetBytes(arrays
            ? "{\"x\":" + new string('[', depth) + new string(']', depth) + "}"
            : string.Concat(Enumerable.Repeat("{\"x\":", depth)) + "1" + new string('}', depth));

    private static Gen<byte[]> WideObject() =>
        from count in Gen.Choose(100, 3000)
        from duplicate in Gen.Elements(true, false)
        select Encoding.UTF8.GetBytes("{" + string.Join(",", Enumerable.Range(0, count).Select(k => $"\"{(duplicate ? "exp" : "m" + k.ToString(CultureInfo.InvariantCulture))}\":{k}")) + "}");

    private static Gen<string> ObjectText(int depth) =>
        from count in Gen.Choose(0, depth > 3 ? 1 : 5)
        from members in Gen.ArrayOf(Member(depth), count)
        select "{" + string.Join(",", members) + "}";

    private static Gen<string> Member(int depth) =>
        from name in Gen.OneOf(Gen.Elements(MemberNames), JsonString())
        from value in Value(depth + 1)
        select $"{Quote(name)}:{value}";

    private static Gen<string> Value(int depth) => Gen.Frequency(
        (3, Scalar()),
        (depth > 4 ? 0 : 1, Gen.Sized(_ => ObjectText(depth))),
        (depth > 4 ? 0 : 1, from items in Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Scalar(), n)) select "[" + string.Join(",", items) + "]"));

    private static Gen<string> Scalar() => Gen.OneOf(
        Gen.Elements("null", "true", "false", "0", "-0", "1e400", "-1e400", "1E-400", "1.5", "253402300800", "-1", "9223372036854775808",
            "1780315200", "1780315200.999999999999", new string('9', 400), "0.0000000000000000000000000000001", "\"\"", "[]", "{}"),
        JsonString().Select(Quote),
        Gen.Choose(int.MinValue, int.MaxValue).Select(k => k.ToString(CultureInfo.InvariantCulture)),
        from raw in Gen.Elements("\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\u0000\"", "\"\\/\\b\\f\\n\\r\\t\"", "\"\\uD83D\\uDD11\"", "\"\\x41\"", "\"\\u00G1\"", "\"a\u0001b\"", "\"portkey.\"", "\"RS256\"", "\"test-rsa-2048\"")
        select raw);

    private static Gen<string> JsonString() =>
        from length in Gen.Choose(0, 24)
        from chars in Gen.ArrayOf(Gen.OneOf(Gen.Elements("abc xyz.-_portkey".ToCharArray()), Gen.Choose(0, 0xFFFF).Select(k => (char)k)), length)
        select new string(chars);

    /// <summary>A JSON string literal; lone surrogates stay in the text and become invalid UTF-8 once encoded (as '?'-like replacement).</summary>
    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
