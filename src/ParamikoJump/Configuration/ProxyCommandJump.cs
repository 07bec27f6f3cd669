using System;
using System.Collections.Generic;
using System.Globalization;

namespace ParamikoJump.Configuration;

/// <summary>
/// The one kind of ProxyCommand ParamikoJump follows: <c>ssh -W %h:%p HOST</c> (with <c>-l</c>, <c>-p</c>,
/// <c>-J</c> and harmless flags such as <c>-q</c>), which is a jump through HOST. Any other command is refused
/// with an error that says so: ParamikoJump never runs a ProxyCommand.
/// </summary>
internal static class ProxyCommandJump
{
    private static readonly HashSet<char> HarmlessFlags = ['q', 'T', 'x', 'a', 'C', '4', '6', 'v', 'N', 'n'];

    public static (string Host, string? User, int Port, string? Jumps) Parse(Sourced command, ResolvedValues hop, string hostArg)
    {
        SshConfigException Refuse(string why) =>
            new($"ProxyCommand '{command.Value}' {why}; ParamikoJump follows only 'ssh -W %h:%p HOST' (a jump through HOST) and never runs a command.", command.Origin.File, command.Origin.Line);

        var port = hop.Port.ToString(CultureInfo.InvariantCulture);
        var tokens = new Dictionary<char, string> { ['h'] = hop.HostName, ['k'] = hop.HostKeyAlias ?? hostArg, ['n'] = hostArg, ['p'] = port, ['r'] = hop.User };
        var expanded = Tokens.Expand(command.Value, tokens, environment: null, out var error) ?? throw Refuse(error!);
        var words = ConfigText.ArgvSplit(expanded) ?? throw Refuse("has an open quote");
        var at = 0;
        if (at < words.Count && words[at] == "exec")
        {
            at++;
        }

        if (at >= words.Count || !(words[at] == "ssh" || words[at].EndsWith("/ssh", StringComparison.Ordinal)))
        {
            throw Refuse("is not an ssh command");
        }

        string? user = null, jumps = null, forward = null, destination = null;
        var jumpPort = -1;
        for (at++; at < words.Count; at++)
        {
            var word = words[at];
            if (destination is not null)
            {
                throw Refuse($"runs a remote command ('{word}')");
            }

            if (word.Length < 2 || word[0] != '-')
            {
                destination = word;
                continue;
            }

            for (var i = 1; i < word.Length; i++)
            {
                var flag = word[i];
                if (HarmlessFlags.Contains(flag))
                {
                    continue;
                }

                if (flag is not ('l' or 'p' or 'J' or 'W'))
                {
                    throw Refuse($"uses option -{flag}");
                }

                var value = i + 1 < word.Length ? word.Substring(i + 1) : (++at < words.Count ? words[at] : throw Refuse($"gives no value to -{flag}"));
                switch (flag)
                {
                    case 'l': user = value; break;
                    case 'J': jumps = value; break;
                    case 'W': forward = value; break;
                    default:
                        jumpPort = ConfigText.A2Port(value) ?? 0;
                        if (jumpPort <= 0)
                        {
                            throw Refuse($"gives -p a bad port '{value}'");
                        }

                        break;
                }

                break;
            }
        }

        if (forward is null)
        {
            throw Refuse("does not forward with -W");
        }

        if (!SshDestination.ParseUserHostPort(forward, out _, out var forwardHost, out var forwardPort) || forwardPort != hop.Port
            || !string.Equals(forwardHost, hop.HostName, StringComparison.OrdinalIgnoreCase))
        {
            throw Refuse($"forwards to '{forward}', not to this host's {hop.HostName}:{hop.Port} (%h:%p)");
        }

        if (destination is null)
        {
            throw Refuse("names no host to go through");
        }

        switch (SshDestination.ParseSshUri(destination, out var uriUser, out var uriHost, out var uriPort))
        {
            case 0:
                return (uriHost!, user ?? uriUser, jumpPort > 0 ? jumpPort : uriPort, jumps);
            case 1:
                var atSign = destination.LastIndexOf('@');
                if (atSign == 0)
                {
                    throw Refuse($"names no host in '{destination}'");
                }

                return atSign < 0
                    ? (destination, user, jumpPort, jumps)
                    : (destination.Substring(atSign + 1), user ?? destination.Substring(0, atSign), jumpPort, jumps);
            default:
                throw Refuse($"names a host ssh cannot read ('{destination}')");
        }
    }
}
