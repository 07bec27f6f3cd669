using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;
using ParamikoJump.Authentication;
using ParamikoJump.Configuration;
using ParamikoJump.Keys;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys.Agent;
using ParamikoJump.Logging;
using ParamikoJump.SshNet;
using Renci.SshNet;

namespace ParamikoJump.Hops;

/// <summary>
/// Everything a hop needs before SSH.NET's constructor runs. SSH.NET fixes the endpoint a client dials at
/// construction, so the tunnel through the jump is opened here: on its private transport the client is handed its
/// socket and dials nothing; on the TCP fallback it dials the forward's loopback port.
/// Built the same way for every client type (SSH, SFTP, SCP).
/// </summary>
internal sealed class HopPlan
{
    private HopPlan(HopSettings settings, HopIdentity hop, SshClient? jump, JumpTunnel? tunnel, ConnectionInfo dialInfo, AuthenticationTracker tracker, HopTimeouts timeouts, ILogger logger, PublicKeyPlan keys, ConnectionInfo? given)
    {
        Settings = settings;
        Hop = hop;
        Jump = jump;
        Tunnel = tunnel;
        DialInfo = dialInfo;
        Tracker = tracker;
        Timeouts = timeouts;
        Logger = logger;
        Keys = keys;
        GivenConnectionInfo = given;
    }

    /// <summary>The client's own copy of its settings (for a ConnectionInfo-built hop, the settings it implies).</summary>
    public HopSettings Settings { get; }

    public HopIdentity Hop { get; }

    public SshClient? Jump { get; }

    public JumpTunnel? Tunnel { get; }

    public ConnectionInfo DialInfo { get; }

    public AuthenticationTracker Tracker { get; }

    public HopTimeouts Timeouts { get; }

    public ILogger Logger { get; }

    /// <summary>The public keys this hop gathered itself; offers nothing for a hop built from a ConnectionInfo.</summary>
    public PublicKeyPlan Keys { get; }

    /// <summary>The ConnectionInfo the hop was built from, if it was; another client to the same hop is built from it again.</summary>
    public ConnectionInfo? GivenConnectionInfo { get; }

    /// <summary>Builds a hop from settings (and so from paramiko-style arguments).</summary>
    public static HopPlan FromSettings(HopSettings given, SshClient? jump)
    {
        if (given is null)
        {
            throw new ArgumentNullException(nameof(given));
        }

        var settings = given.Validated();
        var username = string.IsNullOrEmpty(settings.Username) ? Environment.UserName : settings.Username!;
        var hop = NewIdentity(settings.Host, settings.Port, username, jump);
        var timeouts = new HopTimeouts(settings.ConnectTimeout, settings.BannerTimeout, settings.AuthTimeout, settings.ChannelTimeout);
        var logger = SshNetLogging.CreateLogger(settings.LoggerFactory);
        var tracker = new AuthenticationTracker(hop, timeouts, settings, logger);
        var (methods, keys) = BuildMethods(settings, username, hop, tracker, logger);
        keys.MaxAuthTries = settings.MaxAuthTries;

        return Create(settings, hop, jump, timeouts, logger, tracker, keys, null, (host, port) =>
        {
            var info = new ConnectionInfo(host, port, username, methods.ToArray());
            info.LoggerFactory = settings.LoggerFactory;
            HopAlgorithms.Apply(info, settings, hop, logger);
            return info;
        });
    }

    /// <summary>Builds a hop from an SSH.NET <see cref="ConnectionInfo"/>, keeping its methods and algorithm choices.</summary>
    public static HopPlan FromConnectionInfo(ConnectionInfo given, SshClient? jump, IKeyboardInteractiveHandler? authHandler, IMissingHostKeyPolicy? hostKeyPolicy, KnownHosts? knownHosts)
    {
        if (given is null)
        {
            throw new ArgumentNullException(nameof(given));
        }

        var hop = NewIdentity(given.Host, given.Port, given.Username, jump);
        if (jump is not null && given.ProxyType != ProxyTypes.None)
        {
            throw new ArgumentException($"{hop}: a ConnectionInfo with a proxy cannot also go through a jump; use one or the other.", nameof(given));
        }

        var settings = new HopSettings(given.Host)
        {
            Port = given.Port,
            Username = given.Username,
            AuthHandler = authHandler,
            ConnectTimeout = given.Timeout,
            ChannelTimeout = given.Timeout,
            HostKeyPolicy = hostKeyPolicy,
            KnownHosts = knownHosts,
            LoggerFactory = given.LoggerFactory,
            LookForKeys = false,
            AllowAgent = false,
        }.Validated();
        var timeouts = new HopTimeouts(settings.ConnectTimeout, null, settings.AuthTimeout, settings.ChannelTimeout);
        var logger = SshNetLogging.CreateLogger(given.LoggerFactory);
        var tracker = new AuthenticationTracker(hop, timeouts, settings, logger);
        var methods = given.AuthenticationMethods.ToList();
        if (authHandler is not null)
        {
            methods.Add(new TrackedKeyboardInteractiveMethod(given.Username, authHandler, tracker));
        }

        var keys = new PublicKeyPlan([], [], null, hop, logger);
        if (jump is null && authHandler is null)
        {
            return Create(settings, hop, null, timeouts, logger, tracker, keys, given, (_, _) => given);
        }

        return Create(settings, hop, jump, timeouts, logger, tracker, keys, given, (host, port) =>
        {
            var info = jump is null
                ? new ConnectionInfo(host, port, given.Username, given.ProxyType, given.ProxyHost, given.ProxyPort, given.ProxyUsername, given.ProxyPassword, methods.ToArray())
                : new ConnectionInfo(host, port, given.Username, methods.ToArray());
            CopySettings(given, info);
            HopAlgorithms.TrimUntouched(given, info);
            return info;
        });
    }

    private static HopPlan Create(HopSettings settings, HopIdentity hop, SshClient? jump, HopTimeouts timeouts, ILogger logger, AuthenticationTracker tracker, PublicKeyPlan keys, ConnectionInfo? given, Func<string, int, ConnectionInfo> dialInfoFor)
    {
        if (jump is null)
        {
            var direct = dialInfoFor(hop.Host, hop.Port);
            if (!ReferenceEquals(direct, given))
            {
                SessionCreationGate.Install(direct, hop);
            }
            else
            {
                // The user's own ConnectionInfo, used as it is: its session's SSH.NET log lines are escaped all the same.
                SshNetLogging.EscapeSessionLogs(direct);
            }

            tracker.ConnectionInfo = direct;
            return new HopPlan(settings, hop, null, null, direct, tracker, timeouts, logger, keys, given);
        }

        var tunnel = settings.HopSocketHiddenForTests ? JumpTunnel.OpenTcp(jump, hop, logger) : JumpTunnel.Open(jump, hop, logger);
        try
        {
            // On the private transport nothing listens, and port 0 is one nothing can listen on: a client that dialled
            // this ConnectionInfo itself would be refused at once, never reach anyone.
            var dialInfo = dialInfoFor("127.0.0.1", tunnel.IsPrivate ? 0 : tunnel.LocalPort);
            SessionCreationGate.Install(dialInfo, hop);
            tracker.ConnectionInfo = dialInfo;
            return new HopPlan(settings, hop, jump, tunnel, dialInfo, tracker, timeouts, logger, keys, given);
        }
        catch
        {
            tunnel.Dispose();
            throw;
        }
    }

    private static HopIdentity NewIdentity(string? host, int port, string? username, SshClient? jump)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new ArgumentException("A hop needs a host name or address.", nameof(host));
        }

        if (string.IsNullOrEmpty(username))
        {
            throw new ArgumentException($"The hop to {host} needs a user name.", nameof(username));
        }

        return new HopIdentity(host!, port, username!, jump is null ? null : IdentityOf(jump));
    }

    /// <summary>The logical identity of any client used as a jump: ours know it, a plain SshClient is dialled directly.</summary>
    private static HopIdentity IdentityOf(SshClient jump) => jump switch
    {
        SshJumpClient ours => ours.Hop,
        _ => new HopIdentity(jump.ConnectionInfo.Host, jump.ConnectionInfo.Port, jump.ConnectionInfo.Username),
    };

    private static (List<AuthenticationMethod> Methods, PublicKeyPlan Keys) BuildMethods(HopSettings args, string username, HopIdentity hop, AuthenticationTracker tracker, ILogger logger)
    {
        // Public keys, then password, then keyboard-interactive, unless PreferredAuthentications orders them
        // otherwise. A handler is added, never a replacement, so servers demanding publickey,keyboard-interactive
        // or password,keyboard-interactive work.
        var ranked = new List<(int Rank, AuthenticationMethod Method)>();
        var skipped = new List<(string Path, string Reason)>();
        var keys = args.MethodRank("publickey") is not null
            ? PlanKeys(args, hop, tracker, logger, skipped)
            : new PublicKeyPlan([], [], null, hop, logger);
        if (keys.MayOffer)
        {
            ranked.Add((args.MethodRank("publickey")!.Value, new TrackedPrivateKeyMethod(username, keys, tracker)));
        }

        if (args.Password is not null && args.MethodRank("password") is { } passwordRank)
        {
            ranked.Add((passwordRank, new TrackedPasswordMethod(username, args.Password, tracker)));
        }

        var handler = args.AuthHandler ?? (args.Password is null ? null : new PasswordPromptHandler(args.Password));
        if (handler is not null && args.MethodRank("keyboard-interactive") is { } interactiveRank)
        {
            ranked.Add((interactiveRank, new TrackedKeyboardInteractiveMethod(username, handler, tracker)));
        }

        var methods = ranked.OrderBy(entry => entry.Rank).Select(entry => entry.Method).ToList();

        // Every refused key counts against the server's MaxAuthTries: keep a try for each method after publickey.
        keys.ReservedTries = methods.Count(method => method is not TrackedPrivateKeyMethod);

        if (methods.Count == 0 && skipped.Count > 0)
        {
            throw new HopKeyException(
                $"No way to log in: the only keys found could not be used: {string.Join("; ", skipped.Select(s => $"{s.Path} ({s.Reason})"))}.",
                hop,
                HopStage.Setup,
                skipped[0].Path);
        }

        if (methods.Count == 0)
        {
            throw new ArgumentException($"{hop}: no way to log in was given: pass a password, key files, keys, or an authHandler{DescribeDisabled(args)}.");
        }

        return (methods, keys);
    }

    private static readonly string[] MethodNames = ["publickey", "password", "keyboard-interactive"];

    /// <summary>What the settings switched off, for the error that says nothing is left to try.</summary>
    private static string DescribeDisabled(HopSettings args)
    {
        var off = MethodNames.Where(method => args.MethodRank(method) is null).ToList();
        if (off.Count == 0)
        {
            return string.Empty;
        }

        return args.PreferredAuthentications is { } preferred
            ? $" (PreferredAuthentications is '{string.Join(",", preferred)}'; switched off or not preferred: {string.Join(", ", off)})"
            : $" (switched off: {string.Join(", ", off)})";
    }

    /// <summary>paramiko's order: keys given in memory, key files, then (at login) the agent, then the default key files.</summary>
    private static PublicKeyPlan PlanKeys(HopSettings args, HopIdentity hop, AuthenticationTracker tracker, ILogger logger, ICollection<(string Path, string Reason)> skipped)
    {
        // paramiko decrypts keys with the password when no passphrase is given.
        var passphrase = args.Passphrase ?? args.Password;
        var explicitOffers = new List<KeyOffer>();
        for (var i = 0; i < args.Keys.Count; i++)
        {
            var key = args.Keys[i] ?? throw new ArgumentException($"{hop}: key #{i + 1} is null.");
            explicitOffers.AddRange(KeyOffer.From(key, $"key #{i + 1}"));
        }

        // Key and certificate files name the home as ssh's IdentityFile does: ~/.ssh/id_ed25519.
        var environment = KeyEnvironment.Of(args);
        var home = HomePaths.WithHome(environment.HomeDirectory);
        var certificates = KeyFiles.LoadCertificates(args.CertificateFiles.Select(path => home.Expand(path, nameof(HopSettings.CertificateFiles), hop.ToString())).ToList(), hop);
        foreach (var path in args.KeyFilenames.Select(path => home.Expand(path, nameof(HopSettings.KeyFilenames), hop.ToString())))
        {
            explicitOffers.AddRange(KeyFiles.CertifiedOffers(path, passphrase, certificates, logger, hop));
            explicitOffers.AddRange(KeyOffer.From(KeyFiles.LoadExplicit(path, passphrase, hop), path));
        }

        var discovered = args.LookForKeys ? KeyFiles.Discover(environment.HomeDirectory, passphrase, hop, logger, skipped, certificates) : [];
        KeyFiles.LogUnused(certificates, logger, hop);
        AgentClient? agent = null;
        if (args.AllowAgent)
        {
            try
            {
                agent = environment.FindAgent(logger, hop.ToString()) is { } socket ? new AgentClient(socket, args.AuthTimeout) : null;
            }
            catch (AgentUnavailableException ex)
            {
                Log.AgentUnavailable(logger, hop.ToString(), "SSH_AUTH_SOCK", ex.Message);
            }
        }

        var agentFilter = args.IdentitiesOnly ? KeyFiles.IdentityBlobs(explicitOffers.Concat(discovered)) : null;
        var accepted = AlgorithmLists.Resolve(AlgorithmKind.PubkeyAcceptedAlgorithms, args.PubkeyAcceptedAlgorithms);
        return new PublicKeyPlan(explicitOffers, discovered, agent, hop, logger, agentFilter, accepted);
    }

    private static void CopySettings(ConnectionInfo from, ConnectionInfo to)
    {
        to.Timeout = from.Timeout;
        to.ChannelCloseTimeout = from.ChannelCloseTimeout;
        to.Encoding = from.Encoding;
        to.RetryAttempts = from.RetryAttempts;
        to.MaxSessions = from.MaxSessions;
        to.LoggerFactory = from.LoggerFactory;
        CopyInOrder(from.KeyExchangeAlgorithms, to.KeyExchangeAlgorithms);
        CopyInOrder(from.Encryptions, to.Encryptions);
        CopyInOrder(from.HmacAlgorithms, to.HmacAlgorithms);
        CopyInOrder(from.HostKeyAlgorithms, to.HostKeyAlgorithms);
        CopyInOrder(from.CompressionAlgorithms, to.CompressionAlgorithms);
    }

    private static void CopyInOrder<TValue>(IOrderedDictionary<string, TValue> from, IOrderedDictionary<string, TValue> to)
    {
        to.Clear();
        foreach (var pair in from)
        {
            to.Add(pair.Key, pair.Value);
        }
    }
}
