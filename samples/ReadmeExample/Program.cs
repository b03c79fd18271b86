// Runs the README's C# example on a JWKS file and a token: the last step of the README walkthrough.
//   dotnet run --project samples/ReadmeExample -- keys/jwks.json "$TOKEN"
// Prints the caller (exit 0) or the rejection (exit 1); never the token.
using ReadmeExample;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ReadmeExample <jwks.json> <token>");
    return 2;
}

using var authentication = new GatewayAuthentication(File.ReadAllText(args[0]));
string verdict = await authentication.AuthenticateAsync(args[1]);
Console.WriteLine(verdict);
return verdict.StartsWith("401 ", StringComparison.Ordinal) || verdict.StartsWith("403 ", StringComparison.Ordinal) ? 1 : 0;
