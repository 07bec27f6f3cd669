using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ParamikoJump.Configuration;
using Renci.SshNet.Security;

namespace ParamikoJump.HostKeys;

/// <summary>
/// The host keys a client trusts, read from known_hosts files in OpenSSH's format (paramiko's <c>HostKeys</c>).
/// Files loaded with <see cref="LoadSystemHostKeys"/> are only read; the one loaded with
/// <see cref="LoadHostKeys"/> also receives the keys <see cref="Add"/> accepts, appended without touching its
/// other lines. One store can be shared by many clients and threads.
/// </summary>
/// <remarks>
/// Understood: several comma-separated names per line, <c>*</c>/<c>?</c> patterns and <c>!</c> negation,
/// hashed names (<c>|1|salt|hmac</c>), <c>[host]:port</c>, several keys per host, <c>@revoked</c> and
/// <c>@cert-authority</c>. Lines it cannot read are kept as they are and never vouch for a host.
/// </remarks>
public sealed class KnownHosts
{
    private const string InMemory = "(added in memory)";

    /// <summary>OpenSSH 9.2's default <c>CASignatureAlgorithms</c>: the signatures it accepts from a CA on a host certificate.</summary>
    private static readonly HashSet<string> CaSignatureAlgorithms = new(StringComparer.Ordinal)
    {
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256",
    };

    private readonly object _gate = new();
    private readonly List<LoadedFile> _files = [];
    private readonly List<KnownHostsLine> _added = [];
    private IReadOnlyList<string>? _pendingDefaults;
    private string? _writableFile;

    /// <summary>Creates an empty store: it trusts nothing until files are loaded or keys added.</summary>
    public KnownHosts()
    {
    }

    /// <summary>A store that loads <paramref name="defaultFiles"/> read-only the first time it is consulted.</summary>
    internal KnownHosts(IReadOnlyList<string> defaultFiles)
    {
        _pendingDefaults = defaultFiles;
    }

    /// <summary>
    /// Whether <see cref="Add"/> writes hashed host names (<c>|1|salt|hmac</c>), as OpenSSH's
    /// <c>HashKnownHosts yes</c> does. <see langword="false"/> by default.
    /// </summary>
    public bool HashHostNames { get; set; }

    /// <summary>The full path of the file new keys are appended to (the last one given to <see cref="LoadHostKeys"/>), or <see langword="null"/>.</summary>
    public string? WritableFile
    {
        get
        {
            lock (_gate)
            {
                return _writableFile;
            }
        }
    }

    /// <summary>
    /// The files OpenSSH reads by default: the user's <c>~/.ssh/known_hosts</c> and <c>known_hosts2</c>, and the
    /// system's <c>ssh_known_hosts</c> and <c>ssh_known_hosts2</c> (under <c>/etc/ssh</c>, or <c>%ProgramData%\ssh</c> on Windows).
    /// </summary>
    public static IReadOnlyList<string> DefaultFiles
    {
        get
        {
            var userSsh = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh");
            var systemSsh = Path.DirectorySeparatorChar == '\\'
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "ssh")
                : "/etc/ssh";
            return
            [
                Path.Combine(userSsh, "known_hosts"),
                Path.Combine(userSsh, "known_hosts2"),
                Path.Combine(systemSsh, "ssh_known_hosts"),
                Path.Combine(systemSsh, "ssh_known_hosts2"),
            ];
        }
    }

    /// <summary>How a leading <c>~</c> in a path given to this store is expanded; tests give their own home.</summary>
    internal HomePaths HomePaths { get; set; } = HomePaths.Current;

    /// <summary>The default files still to be read on first use, or <see langword="null"/> once read.</summary>
    internal IReadOnlyList<string>? PendingDefaultFiles
    {
        get
        {
            lock (_gate)
            {
                return _pendingDefaults;
            }
        }
    }

    /// <summary>
    /// A store that reads <see cref="DefaultFiles"/> (read-only; missing ones are skipped) the first time a
    /// host key is checked against it: what every client uses unless given a store.
    /// </summary>
    public static KnownHosts CreateDefault() => new(DefaultFiles);

    /// <summary>
    /// Loads a known_hosts file to trust but never write (paramiko's <c>load_system_host_keys</c>). Without a
    /// path, loads <see cref="DefaultFiles"/> now, skipping missing ones. Loading a file again re-reads it.
    /// </summary>
    /// <param name="path">The file (a leading <c>~</c> is the user's home, as in ssh), or <see langword="null"/> for the default files.</param>
    /// <exception cref="FileNotFoundException"><paramref name="path"/> was given and does not exist.</exception>
    public void LoadSystemHostKeys(string? path = null)
    {
        if (path is null)
        {
            lock (_gate)
            {
                LoadDefaults(DefaultFiles);
            }

            return;
        }

        path = Path.GetFullPath(HomePaths.Expand(path, nameof(path)));
        var lines = KnownHostsFiles.Read(path) ?? throw new FileNotFoundException($"The known_hosts file '{path}' does not exist.", path);
        lock (_gate)
        {
            Replace(path, lines);
        }
    }

    /// <summary>
    /// Loads a known_hosts file that also receives the keys accepted by <see cref="AutoAddPolicy"/> or
    /// <see cref="Add"/> (paramiko's <c>load_host_keys</c>). A missing file is created at the first addition.
    /// </summary>
    /// <param name="path">The file; a leading <c>~</c> is the user's home, as in ssh.</param>
    public void LoadHostKeys(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("A known_hosts path is required.", nameof(path));
        }

        path = Path.GetFullPath(HomePaths.Expand(path, nameof(path)));
        var lines = KnownHostsFiles.Read(path) ?? [];
        lock (_gate)
        {
            Replace(path, lines);
            _writableFile = path;
        }
    }

    /// <summary>
    /// Appends to <paramref name="path"/> every line of the writable file and every key added in memory that it
    /// does not already hold (paramiko's <c>save_host_keys</c>, but existing lines are never rewritten or lost).
    /// </summary>
    /// <param name="path">The file to write (a leading <c>~</c> is the user's home, as in ssh); created if missing.</param>
    public void SaveHostKeys(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("A known_hosts path is required.", nameof(path));
        }

        path = Path.GetFullPath(HomePaths.Expand(path, nameof(path)));
        lock (_gate)
        {
            var present = new HashSet<string>((KnownHostsFiles.Read(path) ?? []).Where(l => l.IsEntry).Select(Identity), StringComparer.Ordinal);
            var mine = _files.Where(f => f.Path == _writableFile).SelectMany(f => f.Lines).Concat(_added).Where(l => l.IsEntry);
            var missing = new List<string>();
            foreach (var line in mine)
            {
                if (present.Add(Identity(line)))
                {
                    missing.Add(line.Text);
                }
            }

            KnownHostsFiles.Append(path, missing);
            ReloadIfLoaded(path);
        }
    }

    /// <summary>
    /// Trusts <paramref name="key"/> for <paramref name="hostName"/>, appending it to <see cref="WritableFile"/>
    /// when there is one and keeping it in memory otherwise (paramiko's <c>HostKeys.add</c>).
    /// </summary>
    /// <param name="hostName">The name as known_hosts writes it: <c>host</c> for port 22, <c>[host]:port</c> otherwise.</param>
    /// <param name="key">The public key in SSH wire format (what <c>HostKeyEventArgs.HostKey</c> gives for a plain key).</param>
    public void Add(string hostName, byte[] key)
    {
        if (string.IsNullOrWhiteSpace(hostName) || hostName.IndexOfAny([' ', '\t', ',', '\r', '\n']) >= 0)
        {
            throw new ArgumentException($"'{hostName}' is not a host name known_hosts can hold.", nameof(hostName));
        }

        if (key is null || SshKeyBlob.TypeOf(key) is not { } type || !KnownHostsLine.IsKeyType(type) || SshKeyBlob.IsCertificate(key))
        {
            throw new ArgumentException("The key must be a plain public key in SSH wire format.", nameof(key));
        }

        lock (_gate)
        {
            var text = KnownHostsLine.Format(HashHostNames ? HostPatterns.Hash(hostName) : hostName.ToLowerInvariant(), key);
            if (_writableFile is { } file)
            {
                KnownHostsFiles.Append(file, [text]);
                ReloadIfLoaded(file);
            }
            else
            {
                _added.Add(KnownHostsLine.Parse(text, InMemory, _added.Count + 1));
            }
        }
    }

    /// <summary>
    /// The keys on file for a host (paramiko's <c>HostKeys.lookup</c>), in the order OpenSSH reads them, each with the
    /// file and line it came from: plain host keys, <c>@cert-authority</c> keys and <c>@revoked</c> ones (see
    /// <see cref="KnownHostKey.IsCertificateAuthority"/> and <see cref="KnownHostKey.IsRevoked"/>). Names are matched as
    /// OpenSSH matches them: hashed names, patterns and negation, under <c>host</c> for port 22 and <c>[host]:port</c>
    /// otherwise. Lines whose key cannot be decoded are left out: they never vouch for a host. Reads the default
    /// files first if this store has not read them yet.
    /// </summary>
    /// <param name="host">The host name or address, as a client names it (not the loopback address of a jump's forward).</param>
    /// <param name="port">The port.</param>
    /// <returns>The keys; empty when the host is unknown.</returns>
    /// <exception cref="ArgumentException"><paramref name="host"/> is empty, or <paramref name="port"/> is outside 1-65535.</exception>
    public IReadOnlyList<KnownHostKey> Lookup(string host, int port = 22)
    {
        var name = new HopIdentity(host, port, string.Empty).KnownHostsName;
        return LinesFor(name).Where(l => l.Key is not null).Select(l => new KnownHostKey(name, l)).ToList();
    }

    /// <summary>The entry lines naming <paramref name="hostName"/>, in the order OpenSSH would read them.</summary>
    internal List<KnownHostsLine> LinesFor(string hostName)
    {
        lock (_gate)
        {
            if (_pendingDefaults is { } pending)
            {
                LoadDefaults(pending);
            }

            return _files.SelectMany(f => f.Lines).Concat(_added).Where(l => l.Names(hostName)).ToList();
        }
    }

    /// <summary>Decides what the files say about a key a host offered; see <see cref="HostKeyVerdict"/>.</summary>
    /// <param name="hostName">The known_hosts name of the hop.</param>
    /// <param name="principal">The host name a certificate must list (the bare host, without port).</param>
    /// <param name="offered">The key blob the server sent (a certificate blob when it sent a certificate).</param>
    /// <param name="certificate">The certificate SSH.NET parsed and whose CA signature it checked, if any.</param>
    /// <param name="now">The time certificates must be valid at.</param>
    internal HostKeyCheck Check(string hostName, string principal, byte[] offered, Certificate? certificate, DateTimeOffset now)
    {
        var plain = SshKeyBlob.IsCertificate(offered) ? SshKeyBlob.PlainKeyOf(offered) ?? offered : offered;
        var type = SshKeyBlob.TypeOf(plain) ?? "unknown";
        var fingerprint = SshKeyBlob.Fingerprint(plain);
        var lines = LinesFor(hostName).Where(l => l.Key is not null).ToList();
        var plainLines = lines.Where(l => l.Marker == KnownHostsMarker.None).ToList();
        var knownTypes = plainLines.Select(l => SshKeyBlob.TypeOf(l.Key!)!).Distinct(StringComparer.Ordinal).ToList();
        HostKeyCheck Result(HostKeyVerdict verdict, KnownHostsLine? line, string? reason = null) =>
            new(verdict, hostName, type, fingerprint, plain, line, reason, knownTypes);

        var revoked = lines.FirstOrDefault(l => l.Marker == KnownHostsMarker.Revoked
            && (SshKeyBlob.SameKey(l.Key, plain) || SshKeyBlob.SameKey(l.Key, offered) || SshKeyBlob.SameKey(l.Key, certificate?.CertificateAuthorityKey)));
        if (revoked is not null)
        {
            return Result(HostKeyVerdict.Revoked, revoked);
        }

        KnownHostsLine? authority = null;
        string? certificateProblem = null;
        if (certificate is not null)
        {
            authority = lines.FirstOrDefault(l => l.Marker == KnownHostsMarker.CertAuthority && SshKeyBlob.SameKey(l.Key, certificate.CertificateAuthorityKey));
            certificateProblem = authority is null ? null : CertificateProblem(certificate, principal, now);
            if (authority is not null && certificateProblem is null)
            {
                return Result(HostKeyVerdict.Certified, authority);
            }
        }

        // As OpenSSH does, a certificate no trusted CA vouches for is checked as the plain key it certifies.
        if (plainLines.FirstOrDefault(l => SshKeyBlob.SameKey(l.Key, plain)) is { } known)
        {
            return Result(HostKeyVerdict.Known, known);
        }

        // As OpenSSH decides (hostfile.c check_hostkeys_by_key_or_type): any plain key on file for the host that is
        // not this one makes the host CHANGED, whatever its type. A key of another type is no proof of a new key:
        // a server that stopped offering the type on file may be an impostor with a fresh key of any type.
        if ((plainLines.FirstOrDefault(l => SshKeyBlob.TypeOf(l.Key!) == type) ?? plainLines.FirstOrDefault()) is { } other)
        {
            return Result(HostKeyVerdict.Changed, other);
        }

        return certificateProblem is null
            ? Result(HostKeyVerdict.Unknown, null)
            : Result(HostKeyVerdict.CertificateInvalid, authority, certificateProblem);
    }

    private static string? CertificateProblem(Certificate certificate, string principal, DateTimeOffset now)
    {
        if (certificate.Type != Certificate.CertificateType.Host)
        {
            return "it is a user certificate, not a host certificate";
        }

        var seconds = (ulong)Math.Max(0, now.ToUnixTimeSeconds());
        if (seconds < certificate.ValidAfterUnixSeconds || seconds >= certificate.ValidBeforeUnixSeconds)
        {
            return string.Format(CultureInfo.InvariantCulture, "it is valid from {0:u} to {1:u} only", UnixTime(certificate.ValidAfterUnixSeconds), UnixTime(certificate.ValidBeforeUnixSeconds));
        }

        // An empty principal list means any host, as in OpenSSH.
        if (certificate.ValidPrincipals.Count > 0 && !certificate.ValidPrincipals.Any(p => string.Equals(p, principal, StringComparison.OrdinalIgnoreCase)))
        {
            return $"it names {ServerText.Escape(string.Join(", ", certificate.ValidPrincipals))}, not {principal}";
        }

        if (certificate.CriticalOptions.Count > 0)
        {
            return $"it carries critical options ({ServerText.Escape(string.Join(", ", certificate.CriticalOptions.Keys))}) that host certificates must not have";
        }

        // As ssh's default CASignatureAlgorithms (sshkey.c sshkey_cert_check_host): a CA signature with SHA-1 (ssh-rsa) is refused.
        var signedWith = SshKeyBlob.TypeOf(certificate.Signature) ?? "unknown";
        return CaSignatureAlgorithms.Contains(signedWith)
            ? null
            : $"its CA signed it with {ServerText.Escape(signedWith)}, which ssh's default CASignatureAlgorithms does not allow";
    }

    private static DateTimeOffset UnixTime(ulong seconds) =>
        seconds >= 253402300799UL ? DateTimeOffset.MaxValue : DateTimeOffset.FromUnixTimeSeconds((long)seconds);

    private static string Identity(KnownHostsLine line) =>
        line.Marker + " " + line.HostField + " " + line.KeyType + " " + (line.Key is null ? line.Text : Convert.ToBase64String(line.Key));

    private void LoadDefaults(IReadOnlyList<string> paths)
    {
        _pendingDefaults = null;
        foreach (var path in paths)
        {
            try
            {
                if (KnownHostsFiles.Read(path) is { } lines)
                {
                    Replace(path, lines);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // As OpenSSH does, an unreadable default file is skipped: it only ever adds trust.
            }
        }
    }

    private void ReloadIfLoaded(string path)
    {
        if (_files.Any(f => f.Path == path))
        {
            Replace(path, KnownHostsFiles.Read(path) ?? []);
        }
    }

    private void Replace(string path, List<KnownHostsLine> lines)
    {
        var index = _files.FindIndex(f => f.Path == path);
        if (index >= 0)
        {
            _files[index] = new LoadedFile(path, lines);
        }
        else
        {
            _files.Add(new LoadedFile(path, lines));
        }
    }

    private sealed record LoadedFile(string Path, List<KnownHostsLine> Lines);
}
