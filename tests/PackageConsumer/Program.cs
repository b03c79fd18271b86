// Runs from the packed packages, as a fresh application would:
//   PackageConsumer <jwks.json> <token>   the README's C# example on the token the packed CLI minted (as samples/ReadmeExample does)
//   PackageConsumer testkit               a token the packed test kit minted, through the same example, the kit's own
//                                         validator and the packed JwtBearer bridge
// Prints the caller (exit 0) or the rejection (exit 1); never the token.
using PackageConsumer;
using ReadmeExample;

if (args is ["testkit"])
{
    string kitVerdict = await TestKitRoundTrip.RunAsync();
    Console.WriteLine(kitVerdict);
    return kitVerdict.StartsWith("org-", StringComparison.Ordinal) ? 0 : 1;
}

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PackageConsumer <jwks.json> <token> | PackageConsumer testkit");
    return 2;
}

using var authentication = new GatewayAuthentication(File.ReadAllText(args[0]));
string verdict = await authentication.AuthenticateAsync(args[1]);
Console.WriteLine(verdict);
return verdict.StartsWith("401 ", StringComparison.Ordinal) || verdict.StartsWith("403 ", StringComparison.Ordinal) ? 1 : 0;
