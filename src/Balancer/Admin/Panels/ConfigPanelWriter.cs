using System.Text.Json;
using Balancer.Reload;

namespace Balancer.Admin.Panels;

/// <summary>The config panel's rejected file: its text and every error with its line and column, for the page to mark.</summary>
internal static class ConfigPanelWriter
{
    public static void WriteRejected(Utf8JsonWriter json, RejectedConfig? rejected)
    {
        json.WriteStartObject();
        if (rejected is null)
        {
            json.WriteNull("rejected");
            json.WriteEndObject();
            return;
        }

        json.WriteStartObject("rejected");
        json.WriteString("at", rejected.At);
        json.WriteString("path", rejected.Path);
        json.WriteString("hash", rejected.Hash);
        // A byte order mark is not part of any line the errors count columns in.
        json.WriteString("text", rejected.Text.TrimStart('\uFEFF'));
        json.WriteStartArray("errors");
        foreach (var error in rejected.Errors)
        {
            json.WriteStartObject();
            json.WriteNumber("line", error.Line);
            json.WriteNumber("column", error.Column);
            json.WriteString("path", error.Path);
            json.WriteString("message", error.Message);
            json.WriteString("text", error.ToString());
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
