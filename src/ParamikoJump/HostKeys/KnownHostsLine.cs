using System;
using System.Collections.Generic;
using System.Globalization;

namespace ParamikoJump.HostKeys;

/// <summary>What the optional <c>@</c> marker of a known_hosts line says.</summary>
internal enum KnownHostsMarker
{
    None,
    CertAuthority,
    Revoked,
}

/// <summary>
/// One line of a known_hosts file, parsed as OpenSSH reads it and keeping its original text. A line whose
/// key cannot be decoded still names hosts (OpenSSH's <c>ssh-keygen -F</c> lists it) but never vouches for one.
/// </summary>
internal sealed class KnownHostsLine
{
    // The key type names OpenSSH recognises; a line with any other type does not name a host.
    private static readonly HashSet<string> KeyTypes = new(StringComparer.Ordinal)
    {
        "ssh-ed25519", "sk-ssh-ed25519@openssh.com", "ssh-rsa", "rsa-sha2-256", "rsa-sha2-512", "ssh-dss",
        "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ecdsa-sha2-nistp256@openssh.com",
        "webauthn-sk-ecdsa-sha2-nistp256@openssh.com", "ssh-ed25519-cert-v01@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com",
        "ssh-rsa-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com", "rsa-sha2-512-cert-v01@openssh.com",
        "ssh-dss-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp384-cert-v01@openssh.com",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    };

    private KnownHostsLine(string text, string source, int number)
    {
        Text = text;
        Source = source;
        Number = number;
    }

    /// <summary>The line exactly as read, without its line ending.</summary>
    public string Text { get; }

    /// <summary>The file the line came from, or a description of where it was added.</summary>
    public string Source { get; }

    /// <summary>The 1-based line number in <see cref="Source"/>.</summary>
    public int Number { get; }

    /// <summary>Whether the line has a marker (if any) we know, a host field, a known key type and a key field.</summary>
    public bool IsEntry { get; private set; }

    public KnownHostsMarker Marker { get; private set; }

    public string HostField { get; private set; } = "";

    public string KeyType { get; private set; } = "";

    /// <summary>The decoded key, or <see langword="null"/> when its base64 or inner type does not check out.</summary>
    public byte[]? Key { get; private set; }

    public string Location => Source + ":" + Number.ToString(CultureInfo.InvariantCulture);

    public bool Names(string knownHostsName) => IsEntry && HostPatterns.Matches(HostField, knownHostsName);

    /// <summary>Whether OpenSSH reads <paramref name="keyType"/> as a key type in known_hosts.</summary>
    public static bool IsKeyType(string keyType) => KeyTypes.Contains(keyType);

    /// <summary>Parses a line; never throws, whatever the text.</summary>
    public static KnownHostsLine Parse(string text, string source, int number)
    {
        var line = new KnownHostsLine(text, source, number);
        var position = 0;
        var first = NextToken(text, ref position);
        if (first is null || first.StartsWith("#", StringComparison.Ordinal))
        {
            return line;
        }

        var hosts = first;
        var marker = KnownHostsMarker.None;
        if (first.StartsWith("@", StringComparison.Ordinal))
        {
            // OpenSSH skips lines with a marker it does not know.
            switch (first)
            {
                case "@cert-authority":
                    marker = KnownHostsMarker.CertAuthority;
                    break;
                case "@revoked":
                    marker = KnownHostsMarker.Revoked;
                    break;
                default:
                    return line;
            }

            hosts = NextToken(text, ref position);
            if (hosts is null)
            {
                return line;
            }
        }

        var keyType = NextToken(text, ref position);
        var base64 = NextToken(text, ref position);
        if (keyType is null || !IsKeyType(keyType) || base64 is null || base64.StartsWith("#", StringComparison.Ordinal))
        {
            return line;
        }

        line.IsEntry = true;
        line.Marker = marker;
        line.HostField = hosts;
        line.KeyType = keyType;
        line.Key = Decode(keyType, base64);
        return line;
    }

    /// <summary>Builds the text of a new line: host field, key type, base64 key.</summary>
    public static string Format(string hostField, byte[] key) =>
        hostField + " " + SshKeyBlob.TypeOf(key) + " " + Convert.ToBase64String(key);

    private static byte[]? Decode(string keyType, string base64)
    {
        try
        {
            var key = Convert.FromBase64String(base64);
            var inner = SshKeyBlob.TypeOf(key);

            // The RSA signature names stand for the ssh-rsa key type, as OpenSSH reads them.
            return inner == keyType || (inner == "ssh-rsa" && keyType is "rsa-sha2-256" or "rsa-sha2-512") ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? NextToken(string text, ref int position)
    {
        while (position < text.Length && (text[position] == ' ' || text[position] == '\t'))
        {
            position++;
        }

        var start = position;
        while (position < text.Length && text[position] != ' ' && text[position] != '\t')
        {
            position++;
        }

        return position == start ? null : text.Substring(start, position - start);
    }
}
