using System;
using System.Collections.Generic;
using System.Linq;

namespace ParamikoJump.Configuration;

/// <summary>The algorithm lists a client offers, each named after the ssh_config option that sets it.</summary>
internal enum AlgorithmKind
{
    /// <summary><c>KexAlgorithms</c>.</summary>
    KexAlgorithms,

    /// <summary><c>HostKeyAlgorithms</c>.</summary>
    HostKeyAlgorithms,

    /// <summary><c>Ciphers</c>.</summary>
    Ciphers,

    /// <summary><c>MACs</c>.</summary>
    MACs,

    /// <summary><c>PubkeyAcceptedAlgorithms</c>: the signature algorithms a client's keys may be offered with.</summary>
    PubkeyAcceptedAlgorithms,
}

/// <summary>
/// ssh's algorithm lists and their arithmetic (ssh_config(5), readconf.c and kex.c <c>kex_assemble_names</c> of
/// OpenSSH 9.x): a list replaces the defaults, <c>+list</c> appends to them, <c>-list</c> removes from them (with
/// <c>*</c>/<c>?</c> wildcards), <c>^list</c> puts names in front of them. Names are checked as ssh checks them when it
/// reads the option: exact names for key exchange, ciphers and MACs, names or wildcards that match a name for host
/// key and public key algorithms; nothing for a <c>-list</c>.
/// </summary>
/// <remarks>
/// The defaults are OpenSSH's client defaults, as <c>ssh -G</c> prints them for OpenSSH 9.2 (Debian 12) with
/// <c>mlkem768x25519-sha256</c> in front, as OpenSSH 9.9 and later offer it. The known names are <c>ssh -Q cipher</c>,
/// <c>-Q mac</c>, <c>-Q kex</c> and <c>-Q key-sig</c> of the same ssh, plus that one. Which of them SSH.NET can do is
/// decided where a ConnectionInfo is filled.
/// </remarks>
internal static class AlgorithmLists
{
    // ssh -G prints the same default list for HostKeyAlgorithms and PubkeyAcceptedAlgorithms (OpenSSH 9.2), and ssh
    // checks both against the key-signature names (ssh -Q key-sig), wildcards allowed.
    private static readonly string[] DefaultSignatureAlgorithms =
    [
        "ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp384-cert-v01@openssh.com",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256",
    ];

    private static readonly string[] KnownSignatureAlgorithms =
    [
        "ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", "sk-ssh-ed25519@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp256-cert-v01@openssh.com", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "webauthn-sk-ecdsa-sha2-nistp256@openssh.com", "ssh-dss", "ssh-dss-cert-v01@openssh.com", "ssh-rsa", "ssh-rsa-cert-v01@openssh.com",
        "rsa-sha2-256", "rsa-sha2-256-cert-v01@openssh.com", "rsa-sha2-512", "rsa-sha2-512-cert-v01@openssh.com",
    ];

    private static readonly Dictionary<AlgorithmKind, string[]> DefaultLists = new()
    {
        [AlgorithmKind.KexAlgorithms] =
        [
            "mlkem768x25519-sha256", "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com", "curve25519-sha256", "curve25519-sha256@libssh.org",
            "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512",
            "diffie-hellman-group18-sha512", "diffie-hellman-group14-sha256",
        ],
        [AlgorithmKind.HostKeyAlgorithms] = DefaultSignatureAlgorithms,
        [AlgorithmKind.PubkeyAcceptedAlgorithms] = DefaultSignatureAlgorithms,
        [AlgorithmKind.Ciphers] =
        [
            "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
        ],
        [AlgorithmKind.MACs] =
        [
            "umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
            "hmac-sha1-etm@openssh.com", "umac-64@openssh.com", "umac-128@openssh.com", "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1",
        ],
    };

    private static readonly Dictionary<AlgorithmKind, string[]> KnownNames = new()
    {
        [AlgorithmKind.KexAlgorithms] =
        [
            "diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "diffie-hellman-group14-sha256", "diffie-hellman-group16-sha512",
            "diffie-hellman-group18-sha512", "diffie-hellman-group-exchange-sha1", "diffie-hellman-group-exchange-sha256", "ecdh-sha2-nistp256",
            "ecdh-sha2-nistp384", "ecdh-sha2-nistp521", "curve25519-sha256", "curve25519-sha256@libssh.org", "sntrup761x25519-sha512",
            "sntrup761x25519-sha512@openssh.com", "mlkem768x25519-sha256",
        ],
        [AlgorithmKind.HostKeyAlgorithms] = KnownSignatureAlgorithms,
        [AlgorithmKind.PubkeyAcceptedAlgorithms] = KnownSignatureAlgorithms,
        [AlgorithmKind.Ciphers] =
        [
            "3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com",
            "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
        ],
        [AlgorithmKind.MACs] =
        [
            "hmac-sha1", "hmac-sha1-96", "hmac-sha2-256", "hmac-sha2-512", "hmac-md5", "hmac-md5-96", "umac-64@openssh.com", "umac-128@openssh.com",
            "hmac-sha1-etm@openssh.com", "hmac-sha1-96-etm@openssh.com", "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com",
            "hmac-md5-etm@openssh.com", "hmac-md5-96-etm@openssh.com", "umac-64-etm@openssh.com", "umac-128-etm@openssh.com",
        ],
    };

    /// <summary>OpenSSH's client default for <paramref name="kind"/>, in its order.</summary>
    public static IReadOnlyList<string> Defaults(AlgorithmKind kind) => DefaultLists[kind];

    /// <summary>Every name ssh knows for <paramref name="kind"/>, in <c>ssh -Q</c>'s order.</summary>
    public static IReadOnlyList<string> Known(AlgorithmKind kind) => KnownNames[kind];

    /// <summary>
    /// Why ssh would refuse <paramref name="spec"/> as the value of the option, or <see langword="null"/> when it
    /// would take it ("Bad SSH2 cipher spec" and its siblings).
    /// </summary>
    public static string? Problem(AlgorithmKind kind, string spec)
    {
        if (spec.Length == 0)
        {
            return $"{kind} needs a list of algorithms.";
        }

        // ssh checks nothing in a list of names to remove: they are patterns matched against the defaults.
        if (spec[0] == '-')
        {
            return null;
        }

        var names = spec[0] is '+' or '^' ? spec.Substring(1) : spec;
        var known = KnownNames[kind];
        // As ssh's checks (ciphers_valid and its siblings), the names are read up to the first empty one; what follows
        // it is not checked, and names that match nothing are dropped when the list is made.
        foreach (var name in names.Split(',').TakeWhile(name => name.Length > 0))
        {
            var wildcard = (kind is AlgorithmKind.HostKeyAlgorithms or AlgorithmKind.PubkeyAcceptedAlgorithms) && name.IndexOfAny(['*', '?']) >= 0;
            var valid = wildcard ? known.Any(candidate => SshPatterns.Match(candidate, name)) : known.Contains(name, StringComparer.Ordinal);
            if (!valid)
            {
                return $"{kind} '{spec}': unknown algorithm '{name}' (known: {string.Join(",", known)}).";
            }
        }

        return null;
    }

    /// <summary>
    /// The list <paramref name="spec"/> makes of the defaults, as ssh's <c>kex_assemble_names</c> does: the names it
    /// gives (wildcards expanded in the order of the known names), each once. <see langword="null"/> or empty: the
    /// defaults.
    /// </summary>
    /// <exception cref="FormatException">The spec is one ssh refuses, or it leaves nothing.</exception>
    public static IReadOnlyList<string> Resolve(AlgorithmKind kind, string? spec)
    {
        var defaults = DefaultLists[kind];
        if (string.IsNullOrEmpty(spec))
        {
            return defaults;
        }

        if (Problem(kind, spec!) is { } problem)
        {
            throw new FormatException(problem);
        }

        List<string> result;
        if (spec![0] == '-')
        {
            var patterns = spec.Substring(1);
            result = defaults.Where(name => SshPatterns.MatchList(name, patterns, lowerPatterns: false) != 1).ToList();
        }
        else
        {
            IEnumerable<string> list = spec[0] switch
            {
                '+' => Concatenate(defaults, spec.Substring(1).Split(',')),
                '^' => Concatenate(spec.Substring(1).Split(','), defaults),
                _ => spec.Split(',').ToList(),
            };
            result = [];
            foreach (var pattern in list)
            {
                result = Concatenate(result, KnownNames[kind].Where(name => SshPatterns.Match(name, pattern)));
            }
        }

        return result.Count > 0 ? result : throw new FormatException($"{kind} '{spec}' leaves no algorithm to offer.");
    }

    /// <summary><c>kex_names_cat</c>: <paramref name="first"/>, then the names of <paramref name="second"/> not already in it.</summary>
    private static List<string> Concatenate(IEnumerable<string> first, IEnumerable<string> second)
    {
        var result = first.Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in second)
        {
            if (!result.Contains(name, StringComparer.Ordinal))
            {
                result.Add(name);
            }
        }

        return result;
    }
}
