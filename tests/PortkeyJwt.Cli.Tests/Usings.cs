global using System.Text.Json.Nodes;
global using PortkeyJwt.Cli.Tests.Support;
