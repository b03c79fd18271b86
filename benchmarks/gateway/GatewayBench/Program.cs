// The helper of benchmarks/gateway/run.sh: everything the load benchmark needs besides the sample gateway and wrk.
//   mint --out DIR [--distinct N] [--flood N]   an RSA key, DIR/jwks.json (its public key) and token files, one token a line
//   jwks --urls URL --file DIR/jwks.json         serves that JWKS at /.well-known/jwks.json (the sample gateway's key source)
//   jwtbearer --urls URL --jwks DIR/jwks.json    the same job as the sample gateway, done with AddJwtBearer
//   noauth --urls URL                            the same endpoint and response with no authentication: the ceiling
//   portkey|static --variant policy|authenticated|handler   investigate.sh's servers (Diagnostics.cs)
// Every server answers GET /benchmark with "ok". Tokens are written to files only, never printed.
using GatewayBench;

return args.Length == 0 ? Usage() : args[0] switch
{
    "mint" => Minting.Run(args[1..]),
    "jwks" => Servers.Jwks(args[1..]),
    "jwtbearer" => Servers.JwtBearer(args[1..]),
    "noauth" => Servers.NoAuth(args[1..]),
    "portkey" => Diagnostics.PortkeyJwt(args[1..]),
    "static" => Diagnostics.Static(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: GatewayBench mint --out DIR [--distinct N] [--flood N] | jwks --file F | jwtbearer --jwks F | noauth  (servers take --urls)");
    return 2;
}
