using System;

namespace ParamikoJump.Configuration;

/// <summary>readconf.c parse_jump: a ProxyJump value (or <c>-J</c> argument) read into the options.</summary>
internal static class JumpSpec
{
    /// <summary>
    /// Checks every hop of <paramref name="text"/> and, when the line applies and neither ProxyJump nor ProxyCommand is
    /// set yet, keeps the last hop (the one dialled last) and the hops before it as ssh does. False when a hop is bad.
    /// </summary>
    public static bool Apply(string text, ConfigOptions options, bool applies)
    {
        applies &= options.ProxyCommand is null && options.JumpHost is null;
        var isNone = ConfigText.EqualsIgnoreCase(text, "none");

        // ssh cuts a comment, then (quirk of its rtrim) everything from the first white space after the first character.
        var trimmed = text;
        var hash = trimmed.IndexOf('#');
        if (hash >= 0)
        {
            trimmed = trimmed.Substring(0, hash);
        }

        for (var i = 1; i < trimmed.Length; i++)
        {
            if (trimmed[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
            {
                trimmed = trimmed.Substring(0, i);
                break;
            }
        }

        string? user = null, host = null;
        var port = -1;
        if (!isNone)
        {
            var hops = trimmed.Split(',');
            for (var i = hops.Length - 1; i >= 0; i--)
            {
                var uri = SshDestination.ParseSshUri(hops[i], out var u, out var h, out var p);
                if (uri == 1 && !SshDestination.ParseUserHostPort(hops[i], out u, out h, out p))
                {
                    return false;
                }

                if (uri < 0)
                {
                    return false;
                }

                if (i == hops.Length - 1)
                {
                    (user, host, port) = (u, h, p);
                }
            }
        }

        if (!applies)
        {
            return true;
        }

        if (isNone)
        {
            options.JumpHost = "none";
            options.JumpPort = 0;
            return true;
        }

        options.JumpUser = user;
        options.JumpHost = host;
        options.JumpPort = port;
        options.ProxyCommand = new Sourced("none", default);
        var lastComma = text.LastIndexOf(',');
        if (lastComma > 0)
        {
            options.JumpExtra = text.Substring(0, lastComma);
        }

        return true;
    }
}
