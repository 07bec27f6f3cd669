using System;
using System.Collections.Generic;
using System.IO;

namespace ParamikoJump.Configuration;

/// <summary>TCP service names as getservbyname reads them from /etc/services, for ports written as names (<c>Port ssh</c>).</summary>
internal static class Services
{
    private static readonly Lazy<Dictionary<string, int>> Table = new(Read);

    public static int? Port(string name) => Table.Value.TryGetValue(name, out var port) ? port : null;

    private static Dictionary<string, int> Read()
    {
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/etc/services");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            lines = [];
        }

        foreach (var raw in lines)
        {
            var hash = raw.IndexOf('#');
            var fields = (hash >= 0 ? raw.Substring(0, hash) : raw).Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            var slash = fields[1].IndexOf('/');
            if (slash < 0 || !string.Equals(fields[1].Substring(slash + 1), "tcp", StringComparison.Ordinal)
                || ConfigText.StrToNum(fields[1].Substring(0, slash), 0, 65535) is not { } port)
            {
                continue;
            }

            for (var i = 0; i < fields.Length; i++)
            {
                if (i != 1 && !table.ContainsKey(fields[i]))
                {
                    table[fields[i]] = (int)port;
                }
            }
        }

        if (!table.ContainsKey("ssh"))
        {
            table["ssh"] = 22;
        }

        return table;
    }
}
