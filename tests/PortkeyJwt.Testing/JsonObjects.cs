using System.Text.Json.Nodes;

namespace PortkeyJwt.Testing;

/// <summary>Edits of JSON objects for building test tokens and documents.</summary>
internal static class JsonObjects
{
    /// <summary>Applies <paramref name="changes"/> to a copy of <paramref name="source"/>; a null value removes the member.</summary>
    public static JsonObject With(this JsonObject source, params (string Name, JsonNode? Value)[] changes)
    {
        var copy = (JsonObject)source.DeepClone();
        foreach ((string name, JsonNode? value) in changes)
        {
            if (value is null)
            {
                copy.Remove(name);
            }
            else
            {
                copy[name] = value.DeepClone();
            }
        }

        return copy;
    }
}
