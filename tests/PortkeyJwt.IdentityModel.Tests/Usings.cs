global using System.Text.Json.Nodes;
global using Microsoft.Extensions.Time.Testing;
global using PortkeyJwt.Testing;
global using PortkeyJwt.TestKit;
