using Microsoft.IdentityModel.Tokens;
using PortkeyJwt.IdentityModel.Internal;

namespace PortkeyJwt.IdentityModel.Tests;

/// <summary>
/// Every <see cref="PortkeyJwtError"/> has one row here: the exception type JwtBearer reads. The rows are checked against
/// <see cref="Enum.GetValues{TEnum}()"/>, so a new error fails until it is given a row.
/// </summary>
public sealed class ErrorMappingTests
{
    private static readonly Dictionary<PortkeyJwtError, Type> Expected = new()
    {
        [PortkeyJwtError.Malformed] = typeof(SecurityTokenMalformedException),
        [PortkeyJwtError.TokenTooLarge] = typeof(SecurityTokenMalformedException),
        [PortkeyJwtError.UnsupportedAlgorithm] = typeof(SecurityTokenInvalidAlgorithmException),
        [PortkeyJwtError.InvalidType] = typeof(SecurityTokenValidationException),
        [PortkeyJwtError.UnsupportedHeader] = typeof(SecurityTokenValidationException),
        [PortkeyJwtError.MissingKeyId] = typeof(SecurityTokenValidationException),
        [PortkeyJwtError.UnknownKey] = typeof(SecurityTokenSignatureKeyNotFoundException),
        [PortkeyJwtError.InvalidSignature] = typeof(SecurityTokenInvalidSignatureException),
        [PortkeyJwtError.Expired] = typeof(SecurityTokenExpiredException),
        [PortkeyJwtError.NotYetValid] = typeof(SecurityTokenNotYetValidException),
        [PortkeyJwtError.MissingClaim] = typeof(SecurityTokenValidationException),
        [PortkeyJwtError.InvalidClaim] = typeof(SecurityTokenValidationException),
        [PortkeyJwtError.InvalidIssuer] = typeof(SecurityTokenInvalidIssuerException),
        [PortkeyJwtError.InvalidAudience] = typeof(SecurityTokenInvalidAudienceException),
        [PortkeyJwtError.InsufficientScope] = typeof(SecurityTokenValidationException),
        [PortkeyJwtError.KeysUnavailable] = typeof(SecurityTokenValidationException),
        [PortkeyJwtError.UnknownIssuer] = typeof(SecurityTokenInvalidIssuerException),
        [PortkeyJwtError.OrganisationNotAllowed] = typeof(SecurityTokenValidationException),
        [PortkeyJwtError.WorkspaceNotAllowed] = typeof(SecurityTokenValidationException),
        [PortkeyJwtError.Revoked] = typeof(SecurityTokenValidationException),
        [PortkeyJwtError.RevocationUnavailable] = typeof(SecurityTokenValidationException),
    };

    public static TheoryData<PortkeyJwtError> Rejections() => [.. Enum.GetValues<PortkeyJwtError>().Where(e => e != PortkeyJwtError.None)];

    [Fact]
    public void Table_HasARowForEveryRejection()
    {
        Assert.Equal(Enum.GetValues<PortkeyJwtError>().Where(e => e != PortkeyJwtError.None).Order(), Expected.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Rejections))]
    public void For_EachError_IsTheExceptionTypeJwtBearerReads_WithTheDetailAsMessage(PortkeyJwtError error)
    {
        Exception exception = RejectionExceptions.For(error, "the detail");

        Assert.True(Expected.TryGetValue(error, out Type? type), $"{error} has no row in the table");
        Assert.Equal(type, exception.GetType());
        Assert.Equal("the detail", exception.Message);
    }

    [Fact]
    public void For_Expired_CarriesTheExpiryWhenKnown_AndDefaultWhenNot()
    {
        var exp = new DateTime(2030, 1, 1, 12, 0, 0, DateTimeKind.Utc);

        Assert.Equal(exp, Assert.IsType<SecurityTokenExpiredException>(RejectionExceptions.For(PortkeyJwtError.Expired, "d", expires: exp)).Expires);
        Assert.Equal(default, Assert.IsType<SecurityTokenExpiredException>(RejectionExceptions.For(PortkeyJwtError.Expired, "d")).Expires);
    }

    [Fact]
    public void For_NotYetValid_CarriesNotBeforeWhenKnown()
    {
        var nbf = new DateTime(2030, 1, 1, 12, 0, 0, DateTimeKind.Utc);

        Assert.Equal(nbf, Assert.IsType<SecurityTokenNotYetValidException>(RejectionExceptions.For(PortkeyJwtError.NotYetValid, "d", notBefore: nbf)).NotBefore);
    }

    [Fact]
    public void For_None_IsMisuse()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RejectionExceptions.For(PortkeyJwtError.None, "valid"));
    }
}
