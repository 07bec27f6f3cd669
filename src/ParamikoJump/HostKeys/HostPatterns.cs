using System;
using System.Security.Cryptography;
using System.Text;
using ParamikoJump.Configuration;

namespace ParamikoJump.HostKeys;

/// <summary>
/// Decides whether the host field of a known_hosts line names a host, as OpenSSH's <c>match_hostname</c> and
/// hashed-name lookup do: comma-separated glob patterns (<c>*</c>, <c>?</c>) where a matching <c>!</c> pattern
/// vetoes the whole line, compared case-insensitively; or one <c>|1|salt|hmac</c> hashed name.
/// </summary>
internal static class HostPatterns
{
    public const string HashMagic = "|1|";

    public static bool Matches(string hostField, string name)
    {
        if (hostField.StartsWith(HashMagic, StringComparison.Ordinal))
        {
            return MatchesHashed(hostField, name);
        }

        var lowered = name.ToLowerInvariant();
        var positive = false;
        foreach (var raw in hostField.Split(','))
        {
            var negated = raw.StartsWith("!", StringComparison.Ordinal);
            var pattern = (negated ? raw.Substring(1) : raw).ToLowerInvariant();
            if (SshPatterns.Match(lowered, pattern))
            {
                if (negated)
                {
                    return false;
                }

                positive = true;
            }
        }

        return positive;
    }

    /// <summary>A hashed host field for <paramref name="name"/> with a fresh random salt, as <c>ssh-keygen -H</c> writes.</summary>
    public static string Hash(string name)
    {
        var salt = new byte[20];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(salt);
        }

        return HashMagic + Convert.ToBase64String(salt) + "|" + Convert.ToBase64String(Hmac(salt, name.ToLowerInvariant()));
    }

    private static bool MatchesHashed(string hostField, string name)
    {
        var parts = hostField.Substring(HashMagic.Length).Split('|');
        if (parts.Length != 2)
        {
            return false;
        }

        byte[] salt;
        byte[] expected;
        try
        {
            salt = Convert.FromBase64String(parts[0]);
            expected = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            return false;
        }

        // OpenSSH accepts only SHA-1-sized salts and hashes.
        return salt.Length == 20 && SshKeyBlob.SameKey(Hmac(salt, name.ToLowerInvariant()), expected);
    }

    // HMAC-SHA1 is what the known_hosts format fixes for hashed names; it is not our choice to make.
#pragma warning disable CA5350
    private static byte[] Hmac(byte[] salt, string name)
    {
#if NET8_0_OR_GREATER
        return HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));
#else
        using var hmac = new HMACSHA1(salt);
        return hmac.ComputeHash(Encoding.UTF8.GetBytes(name));
#endif
    }
#pragma warning restore CA5350
}
