global using System.Text.Json.Nodes;
global using PortkeyJwt.Tests.Support;
global using PortkeyJwt.Testing;
global using Failures = PortkeyJwt.Internal.Failures;
