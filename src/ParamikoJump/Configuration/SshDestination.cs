using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ParamikoJump.Configuration;

/// <summary>
/// One hop as <c>ssh -J</c> and <c>ProxyJump</c> write it: <c>[user@]host[:port]</c>, <c>[user@][v6addr]:port</c>
/// or <c>ssh://[user@]host[:port]</c>, read exactly as OpenSSH 9.2 reads it.
/// </summary>
/// <example>
/// <code>
/// var hops = SshDestination.ParseJumps("ops@bastion:2222,[fd00::5]:22,ssh://deploy@mid");
/// // hops[0].User == "ops", hops[0].Host == "bastion", hops[0].Port == 2222; hops[1].Host == "fd00::5"
/// </code>
/// </example>
public sealed class SshDestination
{
    /// <summary>Creates a destination.</summary>
    /// <param name="host">The host name or address, without brackets.</param>
    /// <param name="user">The user, or <see langword="null"/> for the configured or local one.</param>
    /// <param name="port">The port, or <see langword="null"/> for the configured one or 22.</param>
    public SshDestination(string host, string? user = null, int? port = null)
    {
        if (string.IsNullOrEmpty(host))
        {
            throw new ArgumentException("A destination needs a host.", nameof(host));
        }

        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, $"Port {port} for host '{host}' is outside 1-65535.");
        }

        Host = host;
        User = user;
        Port = port;
    }

    /// <summary>The host name or address as written (IPv6 addresses without their brackets).</summary>
    public string Host { get; }

    /// <summary>The user written before <c>@</c>, or <see langword="null"/>.</summary>
    public string? User { get; }

    /// <summary>The port written after the host, or <see langword="null"/>.</summary>
    public int? Port { get; }

    /// <summary>Reads one hop of a <c>-J</c> list: <c>[user@]host[:port]</c>, <c>[user@][v6addr]:port</c> or <c>ssh://[user@]host[:port]</c>.</summary>
    /// <param name="text">The hop.</param>
    /// <returns>The hop.</returns>
    /// <exception cref="FormatException">ssh would not accept it; the message says why.</exception>
    public static SshDestination Parse(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        return TryParse(text) ?? throw new FormatException($"'{ServerText.Escape(text)}' is not a jump host as ssh -J reads one: [user@]host[:port], [user@][address]:port or ssh://[user@]host[:port].");
    }

    /// <summary>
    /// Reads a <c>-J</c> / <c>ProxyJump</c> list: hops separated by commas, in the order they are passed through.
    /// <c>none</c> gives an empty list.
    /// </summary>
    /// <param name="text">The list, e.g. <c>ops@bastion:2222,ops@mid</c>.</param>
    /// <returns>The hops, first one first.</returns>
    /// <exception cref="FormatException">A hop is empty or malformed; the message names it.</exception>
    public static IReadOnlyList<SshDestination> ParseJumps(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        if (ConfigText.EqualsIgnoreCase(text, "none"))
        {
            return [];
        }

        return text.Split(',').Select(Parse).ToList();
    }

    /// <summary>The hop as <c>ssh -G</c> prints a ProxyJump hop: <c>user@host:port</c>, numeric hosts in brackets.</summary>
    public override string ToString() => Format(User, Host, Port ?? -1);

    /// <summary>One hop, or null when ssh would refuse it.</summary>
    internal static SshDestination? TryParse(string text)
    {
        var uri = ParseSshUri(text, out var user, out var host, out var port);
        if (uri < 0 || (uri > 0 && !ParseUserHostPort(text, out user, out host, out port)))
        {
            return null;
        }

        return new SshDestination(host!, user, port > 0 ? port : null);
    }

    /// <summary>ssh -G's spelling of a jump: <c>[user@]host[:port]</c>, with brackets when the host is numeric or has a colon.</summary>
    internal static string Format(string? user, string host, int port)
    {
        var numeric = host.Contains(":") || host.All(c => c is (>= '0' and <= '9') or '.');
        var text = new StringBuilder();
        if (user is not null)
        {
            text.Append(user).Append('@');
        }

        text.Append(numeric ? "[" + host + "]" : host);
        if (port > 0)
        {
            text.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>misc.c parse_user_host_port: the user up to the last <c>@</c>, then host and optional port.</summary>
    internal static bool ParseUserHostPort(string text, out string? user, out string? host, out int port)
    {
        user = null;
        host = null;
        port = -1;
        var rest = text;
        var at = text.LastIndexOf('@');
        if (at >= 0)
        {
            if (at == 0)
            {
                return false;
            }

            user = text.Substring(0, at);
            rest = text.Substring(at + 1);
        }

        if (!HostPortDelimit(rest, out var hostPart, out var portPart, out var delimiter) || delimiter == '/' || hostPart!.Length == 0)
        {
            user = null;
            return false;
        }

        host = CleanHostName(hostPart);
        if (!string.IsNullOrEmpty(portPart))
        {
            var value = ConfigText.A2Port(portPart!) ?? 0;
            if (value <= 0)
            {
                user = null;
                host = null;
                return false;
            }

            port = value;
        }

        return true;
    }

    /// <summary>misc.c parse_uri("ssh", ...) without a path: 0 on success, 1 when not an ssh:// URI, -1 when invalid.</summary>
    internal static int ParseSshUri(string text, out string? user, out string? host, out int port)
    {
        user = null;
        host = null;
        port = -1;
        if (!text.StartsWith("ssh://", StringComparison.Ordinal))
        {
            return 1;
        }

        var rest = text.Substring("ssh://".Length);
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            var info = rest.Substring(0, at);
            var semicolon = info.IndexOf(';');
            if (semicolon >= 0)
            {
                info = info.Substring(0, semicolon);
            }

            if (info.Length == 0 || UrlDecode(info) is not { } decoded)
            {
                return -1;
            }

            user = decoded;
            rest = rest.Substring(at + 1);
        }

        if (!HostPortDelimit(rest, out var hostPart, out var tail, out var delimiter) || hostPart!.Length == 0)
        {
            user = null;
            return -1;
        }

        var cleaned = CleanHostName(hostPart);
        if (!IsValidDomain(ref cleaned))
        {
            user = null;
            return -1;
        }

        if (!string.IsNullOrEmpty(tail))
        {
            if (delimiter == ':')
            {
                var slash = tail!.IndexOf('/');
                var portText = slash < 0 ? tail : tail.Substring(0, slash);
                var value = ConfigText.A2Port(portText) ?? 0;
                if (value <= 0)
                {
                    user = null;
                    return -1;
                }

                port = value;
                tail = slash < 0 ? null : tail.Substring(slash + 1);
            }

            if (!string.IsNullOrEmpty(tail))
            {
                // A path: not allowed in a jump or a destination.
                user = null;
                port = -1;
                return -1;
            }
        }

        host = cleaned;
        return 0;
    }

    /// <summary>misc.c hpdelim2: the host (bracketed or up to <c>:</c> or <c>/</c>) and what follows the delimiter.</summary>
    private static bool HostPortDelimit(string text, out string? host, out string? rest, out char delimiter)
    {
        host = null;
        rest = null;
        delimiter = '\0';
        int end;
        if (text.StartsWith("[", StringComparison.Ordinal))
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            end = close + 1;
        }
        else
        {
            end = text.IndexOfAny([':', '/']);
            if (end < 0)
            {
                end = text.Length;
            }
        }

        if (end == text.Length)
        {
            host = text;
            return true;
        }

        if (text[end] is not (':' or '/'))
        {
            return false;
        }

        delimiter = text[end];
        host = text.Substring(0, end);
        rest = text.Substring(end + 1);
        return true;
    }

    private static string CleanHostName(string host) =>
        host.Length >= 2 && host[0] == '[' && host[host.Length - 1] == ']' ? host.Substring(1, host.Length - 2) : host;

    /// <summary>misc.c valid_domain without lowercasing; a trailing dot is removed, as ssh removes it.</summary>
    private static bool IsValidDomain(ref string name)
    {
        if (name.Length == 0 || !IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        var last = '\0';
        foreach (var raw in name)
        {
            var c = char.ToLowerInvariant(raw);
            if ((last == '.' && c == '.') || (c != '.' && c != '-' && c != '_' && !IsAsciiLetterOrDigit(c)))
            {
                return false;
            }

            last = c;
        }

        if (name[name.Length - 1] == '.')
        {
            name = name.Substring(0, name.Length - 1);
        }

        return true;
    }

    private static bool IsAsciiLetterOrDigit(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9');

    private static string? UrlDecode(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '%')
            {
                if (i + 2 >= text.Length || !IsHex(text[i + 1]) || !IsHex(text[i + 2]))
                {
                    return null;
                }

                bytes.Add((byte)((HexValue(text[i + 1]) << 4) | HexValue(text[i + 2])));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F');
}
