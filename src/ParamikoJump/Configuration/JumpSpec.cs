namespace ParamikoJump.Configuration;

/// <summary>
/// readconf.c parse_jump as OpenSSH 10.3 has it and Debian 12's 9.2p1-2+deb12u10 carries it: a ProxyJump value (or
/// <c>-J</c> argument) read into the options. ProxyJump and ProxyCommand are first-match-wins between each other;
/// <c>none</c> only stops later ProxyJump lines.
/// </summary>
internal static class JumpSpec
{
    /// <summary>
    /// Checks every hop of <paramref name="text"/> (strictly, for a command line: no shell characters in names) and,
    /// when the line applies and neither ProxyJump nor ProxyCommand is set yet, keeps the last hop (the one dialled
    /// last) and the hops before it. False when a hop is bad.
    /// </summary>
    public static bool Apply(string text, ConfigOptions options, bool strict, bool applies)
    {
        if (ConfigText.EqualsIgnoreCase(text, "none"))
        {
            if (applies && options.JumpHost is null)
            {
                options.JumpHost = "none";
                options.JumpPort = 0;
            }

            return true;
        }

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

        applies &= options.ProxyCommand is null && options.JumpHost is null;
        string? user = null, host = null;
        var port = -1;
        var hops = trimmed.Split(',');
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            var uri = SshDestination.ParseSshUri(hops[i], out var u, out var h, out var p);
            if (uri < 0 || (uri == 1 && !SshDestination.ParseUserHostPort(hops[i], out u, out h, out p)))
            {
                return false;
            }

            if (strict && (!CommandLine.ValidHostName(h!) || (u is not null && !CommandLine.ValidRemoteUser(u))))
            {
                return false;
            }

            if (i == hops.Length - 1)
            {
                (user, host, port) = (u, h, p);
            }
        }

        if (applies)
        {
            options.JumpUser = user;
            options.JumpHost = host;
            options.JumpPort = port;
            options.ProxyCommand = new Sourced("none", default);
            var lastComma = trimmed.LastIndexOf(',');
            if (lastComma >= 0)
            {
                options.JumpExtra = trimmed.Substring(0, lastComma);
            }
        }

        return true;
    }
}
