using System;
using Microsoft.Extensions.Logging;
using ParamikoJump.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;
using Renci.SshNet.Security;

namespace ParamikoJump.HostKeys;

/// <summary>
/// One client's host-key decisions: looks every key exchange's host key up under the hop's logical name (or its
/// HostKeyAlias), asks the policy about unknown ones, and remembers what it refused so <c>Connect</c> can say why.
/// </summary>
/// <remarks>
/// A key the policy accepts and saves is written only once the key exchange's verdict is final
/// (<see cref="CommitAcceptedKey"/>): SSH.NET asks every <c>HostKeyReceived</c> handler, ours first, and any later
/// one (the user's own) may still refuse the key.
/// </remarks>
internal sealed class HostKeyVerifier
{
    private readonly object _gate = new();
    private readonly HopIdentity _hop;
    private readonly string _hostName;
    private readonly string _principal;
    private readonly string? _portlessName;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private volatile IMissingHostKeyPolicy _policy;
    private byte[]? _trusted;
    private HostKeyCheck? _toSave;
    private HostKeyCheck? _awaitingHandlers;
    private Func<Exception?, HostKeyRejectedException>? _rejection;

    /// <param name="hop">The hop whose keys are checked.</param>
    /// <param name="store">The known_hosts files.</param>
    /// <param name="policy">What to do with unknown keys.</param>
    /// <param name="logger">Where decisions are logged.</param>
    /// <param name="clock">The time certificates must be valid at.</param>
    /// <param name="hostKeyAlias">
    /// OpenSSH's <c>HostKeyAlias</c>: the name keys are looked up and saved under instead of <c>host</c> /
    /// <c>[host]:port</c> (no port is added to it), and the principal a host certificate must name.
    /// </param>
    public HostKeyVerifier(HopIdentity hop, KnownHosts store, IMissingHostKeyPolicy policy, ILogger logger, TimeProvider? clock = null, string? hostKeyAlias = null)
    {
        _hop = hop;
        _hostName = hostKeyAlias ?? hop.KnownHostsName;
        _principal = hostKeyAlias ?? hop.Host;
        _portlessName = hostKeyAlias is null && hop.Port != 22 ? hop.Host : null;
        Store = store;
        _policy = policy;
        _logger = logger;
        _clock = clock ?? TimeProvider.System;
    }

    public KnownHosts Store { get; }

    /// <summary>The name this hop's keys are looked up and saved under: the HostKeyAlias, or <c>host</c> / <c>[host]:port</c>.</summary>
    public string HostName => _hostName;

    public IMissingHostKeyPolicy Policy
    {
        get => _policy;
        set => _policy = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// The verifier of a new hop. One chain, one set of trust decisions (as with one ssh config): a hop whose jump
    /// is one of ours shares its store and starts with its policy unless given its own.
    /// </summary>
    public static HostKeyVerifier ForHop(HopIdentity hop, SshClient? jump, IMissingHostKeyPolicy? policy, KnownHosts? store, ILogger logger, TimeProvider clock, string? hostKeyAlias = null)
    {
        var ours = jump as SshJumpClient;
        return new HostKeyVerifier(
            hop,
            store ?? ours?.HostKeys ?? KnownHosts.CreateDefault(),
            policy ?? ours?.MissingHostKeyPolicy ?? new RejectPolicy(),
            logger,
            clock,
            hostKeyAlias);
    }

    /// <summary>
    /// Puts the host-key algorithms of the key types on file for this host first, as ssh orders HostKeyAlgorithms
    /// (sshconnect2.c <c>order_hostkeyalgs</c>), so a server with several host keys presents the one we know
    /// rather than one that would make the host look CHANGED.
    /// </summary>
    public void PreferKnownKeyTypes(ConnectionInfo info) =>
        HostKeyAlgorithmOrder.PreferKnown(info.HostKeyAlgorithms, Store.LinesFor(_hostName));

    /// <summary>Forgets the previous connection's key and refusal.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _trusted = null;
            _toSave = null;
            _awaitingHandlers = null;
            _rejection = null;
        }
    }

    /// <summary>
    /// The key exchange's verdict is final and the connection goes on (authentication starts, or the connect
    /// ended well): writes the key the policy chose to save, if any. Every <c>HostKeyReceived</c> handler has
    /// been asked by now, so a key another handler refused never reaches this point.
    /// </summary>
    /// <returns>
    /// Our refusal, when the connection went on although this verifier refused its key: a later handler set
    /// <c>CanTrust</c> back to true. A handler may refuse a key we accept, never trust one we refuse.
    /// </returns>
    public HostKeyRejectedException? CommitAcceptedKey()
    {
        lock (_gate)
        {
            _awaitingHandlers = null;
            if (_rejection is { } refused)
            {
                _toSave = null;
                return refused(null);
            }

            if (_toSave is { } check)
            {
                _toSave = null;
                Save(check);
            }

            return null;
        }
    }

    /// <summary>The connect failed: a key the policy wanted saved is forgotten unwritten.</summary>
    public void DiscardAcceptedKey()
    {
        lock (_gate)
        {
            _toSave = null;
        }
    }

    /// <summary>The refusal of the current attempt as an exception, or <see langword="null"/> if nothing was refused.</summary>
    public HostKeyRejectedException? Rejection(Exception? cause)
    {
        lock (_gate)
        {
            if (_rejection is { } refused)
            {
                return refused(cause);
            }

            // We passed the key, the key exchange then failed before it went on: another handler refused it.
            return _awaitingHandlers is { } check && cause is SshConnectionException { DisconnectReason: DisconnectReason.KeyExchangeFailed }
                ? new HostKeyRejectedException(
                    $"The host key of '{check.HostName}' ({ServerText.Escape(check.KeyType)} {check.Fingerprint}) was refused by a HostKeyReceived handler of the application; ParamikoJump's own check passed it.",
                    _hop,
                    check.HostName,
                    check.KeyType,
                    check.Fingerprint,
                    cause)
                : null;
        }
    }

    /// <summary>Whether to trust the host key of a key exchange.</summary>
    /// <param name="hostKey">The key blob the server sent (a certificate blob for a certificate).</param>
    /// <param name="certificate">The certificate, when the server sent one.</param>
    public bool Verify(byte[] hostKey, Certificate? certificate)
    {
        lock (_gate)
        {
            // A re-key that presents the key this connection already trusts needs no new decision; as in OpenSSH,
            // a server may not switch keys within a connection, whatever the files say.
            if (_trusted is { } trusted)
            {
                if (SshKeyBlob.SameKey(trusted, hostKey))
                {
                    Log.HostKeyRekey(_logger, _hop.ToString(), _hostName);
                    return true;
                }

                return RefuseSwitch(trusted, hostKey);
            }

            var now = _clock.GetUtcNow();
            var check = Store.Check(_hostName, _principal, hostKey, certificate, now);

            // As ssh does ("checking without port identifier", sshconnect.c check_host_key): a host on another port
            // with nothing on file under [host]:port is also trusted by the key filed under its bare name. Only a
            // match counts there: any other verdict leaves the decision to [host]:port's own.
            if (check.Verdict == HostKeyVerdict.Unknown
                && _portlessName is { } portless
                && Store.Check(portless, _principal, hostKey, certificate, now) is { Verdict: HostKeyVerdict.Known or HostKeyVerdict.Certified } portlessCheck)
            {
                check = portlessCheck;
            }

            var accepted = check.Verdict switch
            {
                HostKeyVerdict.Known or HostKeyVerdict.Certified => Trusted(check),
                HostKeyVerdict.Unknown => AskPolicy(check),
                _ => Refuse(check, null),
            };
            if (accepted)
            {
                _trusted = hostKey;
                _awaitingHandlers = check;
            }

            return accepted;
        }
    }

    private bool Trusted(HostKeyCheck check)
    {
        Log.HostKeyTrusted(_logger, _hop.ToString(), check.HostName, ServerText.Escape(check.KeyType), check.Fingerprint, check.Verdict == HostKeyVerdict.Certified ? "CA at " + check.Line!.Location : check.Line!.Location);
        return true;
    }

    private bool AskPolicy(HostKeyCheck check)
    {
        var policy = _policy;
        MissingHostKeyAction action;
        try
        {
            action = policy.MissingHostKey(new UnknownHostKey(_hop, check.HostName, check.KeyType, check.Fingerprint, check.Key, check.KnownKeyTypes));
        }
        catch (Exception ex)
        {
            // Whatever the policy throws is a refusal; it becomes the cause SSH.NET's own error cannot carry.
            return Refuse(check, policy, ex);
        }

        switch (action)
        {
            case MissingHostKeyAction.Accept:
                Log.HostKeyAcceptedUnknown(_logger, _hop.ToString(), check.HostName, ServerText.Escape(check.KeyType), check.Fingerprint, policy.GetType().Name);
                return true;
            case MissingHostKeyAction.AcceptAndSave:
                _toSave = check;
                return true;
            default:
                return Refuse(check, policy);
        }
    }

    private void Save(HostKeyCheck check)
    {
        try
        {
            Store.Add(check.HostName, check.Key);
            Log.HostKeyAdded(_logger, _hop.ToString(), check.HostName, ServerText.Escape(check.KeyType), check.Fingerprint, Store.WritableFile ?? "memory");
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
        {
            // As OpenSSH does: the key is trusted for this connection even if the file could not take it.
            Log.HostKeySaveFailed(_logger, _hop.ToString(), check.HostName, Store.WritableFile ?? "memory", ex);
        }
    }

    private bool RefuseSwitch(byte[] trusted, byte[] offered)
    {
        var hop = _hop;
        var name = _hostName;
        var plain = SshKeyBlob.IsCertificate(offered) ? SshKeyBlob.PlainKeyOf(offered) ?? offered : offered;
        var type = SshKeyBlob.TypeOf(plain) ?? "unknown";
        var fingerprint = SshKeyBlob.Fingerprint(plain);
        var before = SshKeyBlob.Fingerprint(SshKeyBlob.IsCertificate(trusted) ? SshKeyBlob.PlainKeyOf(trusted) ?? trusted : trusted);
        _rejection = cause => new HostKeyRejectedException(
            $"The host key of '{name}' changed during a re-key: it offered {ServerText.Escape(type)} {fingerprint} after {before}.", hop, name, type, fingerprint, cause);
        Log.HostKeyRejected(_logger, hop.ToString(), name, ServerText.Escape(type), fingerprint, "ChangedDuringRekey");
        return false;
    }

    private bool Refuse(HostKeyCheck check, IMissingHostKeyPolicy? policy, Exception? policyError = null)
    {
        var hop = _hop;
        var offered = $"{ServerText.Escape(check.KeyType)} {check.Fingerprint}";
        _rejection = check.Verdict switch
        {
            HostKeyVerdict.Changed => cause => new HostKeyMismatchException(
                $"HOST KEY CHANGED for '{check.HostName}': it offered {offered}, but {check.Line!.Location} expects {ExpectedKey(check)}. "
                + "Someone may be intercepting the connection, or the host was reinstalled; remove the old line only once you have checked.",
                hop,
                check.HostName,
                check.KeyType,
                check.Fingerprint,
                check.ExpectedFingerprint!,
                check.Line.Source,
                check.Line.Number,
                cause),
            HostKeyVerdict.Revoked => cause => new HostKeyRejectedException(
                $"The host key of '{check.HostName}' ({offered}) is revoked by {check.Line!.Location}.", hop, check.HostName, check.KeyType, check.Fingerprint, cause),
            HostKeyVerdict.CertificateInvalid => cause => new HostKeyRejectedException(
                $"The host certificate of '{check.HostName}' ({offered}) is signed by the CA trusted at {check.Line!.Location}, but {check.Reason}.",
                hop,
                check.HostName,
                check.KeyType,
                check.Fingerprint,
                cause),
            _ when policyError is not null => _ => new HostKeyRejectedException(
                $"The host key of '{check.HostName}' ({offered}) is unknown and {policy!.GetType().Name} failed: {ServerText.Escape(policyError.Message)}",
                hop,
                check.HostName,
                check.KeyType,
                check.Fingerprint,
                policyError),
            _ => cause => new HostKeyRejectedException(
                $"The host key of '{check.HostName}' ({offered}) is unknown and {policy!.GetType().Name} refused it. "
                + "Check the fingerprint, then add it to a known_hosts file or choose another missing-host-key policy.",
                hop,
                check.HostName,
                check.KeyType,
                check.Fingerprint,
                cause),
        };
        Log.HostKeyRejected(_logger, _hop.ToString(), check.HostName, ServerText.Escape(check.KeyType), check.Fingerprint, check.Verdict.ToString());
        return false;
    }

    /// <summary>The expected fingerprint, with its type when the host offered a key of another type.</summary>
    private static string ExpectedKey(HostKeyCheck check)
    {
        var expectedType = SshKeyBlob.TypeOf(check.Line!.Key!);
        return expectedType == check.KeyType
            ? check.ExpectedFingerprint!
            : $"its {expectedType} key {check.ExpectedFingerprint} (a server that offers another key type than the one on file is treated as changed, as ssh does)";
    }
}
