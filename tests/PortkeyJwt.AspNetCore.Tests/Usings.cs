global using System.Text.Json.Nodes;
global using PortkeyJwt.AspNetCore.Tests.Support;
global using PortkeyJwt.Testing;
