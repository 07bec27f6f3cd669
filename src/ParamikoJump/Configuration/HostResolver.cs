using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.Extensions.Logging;
using ParamikoJump.Logging;

namespace ParamikoJump.Configuration;

/// <summary>A configuration file to read: a path (read at each resolution, as ssh does) or text given in memory.</summary>
internal sealed record ConfigSource(string Name, string? Text, ReadFlags Flags);

/// <summary>
/// What ssh does between reading its arguments and connecting (ssh.c main): the first pass over the files, the
/// HostName and its canonical spelling, the final pass when asked for, the defaults, the expansion of file names,
/// and ProxyJump turned into the chain of hops, each resolved as the <c>ssh -W</c> that ssh would start for it.
/// </summary>
internal sealed class HostResolver
{
    /// <summary>How many jumps a chain may have before it is taken for a loop.</summary>
    public const int MaxChainLength = 32;

    private static readonly string[] DefaultIdentityFiles =
        ["~/.ssh/id_rsa", "~/.ssh/id_ecdsa", "~/.ssh/id_ecdsa_sk", "~/.ssh/id_ed25519", "~/.ssh/id_ed25519_sk", "~/.ssh/id_xmss", "~/.ssh/id_dsa"];

    private readonly IReadOnlyList<ConfigSource> _sources;
    private readonly LocalAccount _account;
    private readonly bool _allowExec;
    private readonly ILogger _logger;

    public HostResolver(IReadOnlyList<ConfigSource> sources, LocalAccount account, bool allowExec, ILogger logger)
    {
        _sources = sources;
        _account = account;
        _allowExec = allowExec;
        _logger = logger;
    }

    /// <summary>
    /// Resolves <paramref name="hostArg"/> as <c>ssh [-l user] [-p port] [-J jumps] host</c> would, with its jumps.
    /// </summary>
    public SshHostConfig Resolve(string hostArg, string? user, int port, string? jumps) => Resolve(hostArg, user, port, jumps, []);

    /// <summary>Resolves <paramref name="hostArg"/> alone, without following its jumps (what one <c>ssh -G</c> shows).</summary>
    public SshHostConfig ResolveAlone(string hostArg, string? user, int port, string? jumps) =>
        new(ResolveOne(hostArg, user, port, jumps, out _, out _), [], _logger);

    private static string Describe(string? user, string host, int port) => SshDestination.Format(user, host, port);

    private SshHostConfig Resolve(string hostArg, string? user, int port, string? jumps, List<string> path)
    {
        var values = ResolveOne(hostArg, user, port, jumps, out var options, out var finalHost);
        path = [.. path, Describe(user, hostArg, port)];
        if (path.Count > MaxChainLength)
        {
            throw new SshConfigException($"the jumps to {path[0]} go on past {MaxChainLength} hops, so they loop: {string.Join(" -> ", path.Take(8))} -> ...", null, 0);
        }

        SshHostConfig? jump = null;
        if (options.JumpHost is { } jumpHost)
        {
            jump = Resolve(jumpHost, options.JumpUser, options.JumpPort, options.JumpExtra, path);
        }
        else if (options.ProxyCommand is { } command && !ConfigText.EqualsIgnoreCase(command.Value, "none"))
        {
            var forwarder = ProxyCommandJump.Parse(command, values, hostArg);
            jump = Resolve(forwarder.Host, forwarder.User, forwarder.Port, forwarder.Jumps, path);
        }

        var chain = jump is null ? new List<SshHostConfig>() : [.. jump.Jumps, jump];
        return new SshHostConfig(values, chain, _logger);
    }

    private ResolvedValues ResolveOne(string hostArg, string? user, int port, string? jumps, out ConfigOptions options, out string host)
    {
        if (!CommandLine.ValidHostName(hostArg))
        {
            throw new SshConfigException($"hostname '{ServerText.Escape(hostArg)}' contains invalid characters (ssh refuses shell characters, white space and a leading '-' in names it is given)", null, 0);
        }

        if (user is not null && !CommandLine.ValidRemoteUser(user))
        {
            throw new SshConfigException($"remote username '{ServerText.Escape(user)}' of {hostArg} contains invalid characters (ssh refuses shell characters in names it is given)", null, 0);
        }

        options = new ConfigOptions { User = user, Port = port > 0 ? port : -1 };
        if (jumps is not null && !JumpSpec.Apply(jumps, options, strict: true, applies: true))
        {
            throw new SshConfigException($"Invalid jump list (-J) \"{ServerText.Escape(jumps)}\"", null, 0);
        }

        // First pass: Host patterns see the host as given.
        var first = new ConfigReader(options, _account, hostArg, hostArg, _allowExec, _logger);
        ReadAll(first, ReadFlags.None);
        var wantFinal = first.WantFinalPass;

        // ssh fills CanonicalizeHostname's default before the final pass, so a final block cannot turn it on.
        if (options.CanonicalizeHostname < 0)
        {
            options.CanonicalizeHostname = 0;
        }

        host = hostArg;
        if (options.HostName is { } hostName)
        {
            host = ConfigReader.ExpandHostName(hostName, host);
            options.HostName = new Sourced(host, hostName.Origin);
        }

        var wasAddress = HostAddress.IsAddress(host);
        if (!wasAddress)
        {
            host = ConfigText.LowerAscii(host);
        }

        if ((options.CanonicalizeHostname > 0 || wasAddress) && HostAddress.Canonical(host) is { } canonical)
        {
            host = canonical;
        }

        if (options.CanonicalizeHostname > 0)
        {
            Log.ConfigNote(_logger, hostArg, "CanonicalizeHostname is set: the configuration is read again for the final name, but names are not looked up in DNS (as when no CanonicalDomains suffix resolves)");
            wantFinal = true;
        }

        if (wantFinal)
        {
            options.HostName = new Sourced(host, options.HostName?.Origin ?? default);
            var final = new ConfigReader(options, _account, host, hostArg, _allowExec, _logger);
            ReadAll(final, ReadFlags.Final);
        }

        var values = Finish(options, hostArg, host);
        if (options.JumpHost is { } jumpHost)
        {
            var jumpPort = options.JumpPort <= 0 ? 22 : options.JumpPort;
            if (string.Equals(jumpHost, host, StringComparison.Ordinal) && jumpPort == values.Port && string.Equals(options.JumpUser ?? values.User, values.User, StringComparison.Ordinal))
            {
                throw new SshConfigException($"jumphost loop via {jumpHost}: {hostArg} would jump through itself", null, 0);
            }
        }

        return values;
    }

    private void ReadAll(ConfigReader reader, ReadFlags extra)
    {
        foreach (var source in _sources)
        {
            reader.Read(source.Name, source.Text, source.Flags | extra);
        }
    }

    private ResolvedValues Finish(ConfigOptions options, string hostArg, string host)
    {
        var values = new ResolvedValues
        {
            Name = hostArg,
            HostName = host,
            Port = options.Port > 0 ? options.Port : 22,
            User = options.User ?? _account.UserName,
            IdentitiesOnly = Math.Max(0, options.IdentitiesOnly),
            StrictHostKeyChecking = options.StrictHostKeyChecking < 0 ? 2 : options.StrictHostKeyChecking,
            HashKnownHosts = Math.Max(0, options.HashKnownHosts),
            ServerAliveInterval = options.ServerAliveInterval < 0 ? 0 : options.ServerAliveInterval,
            ServerAliveCountMax = options.ServerAliveCountMax < 0 ? 3 : options.ServerAliveCountMax,
            ConnectTimeout = options.ConnectTimeout,
            PreferredAuthentications = options.PreferredAuthentications,
            PubkeyAuthentication = options.PubkeyAuthentication < 0 ? 3 : options.PubkeyAuthentication,
            PasswordAuthentication = options.PasswordAuthentication < 0 ? 1 : options.PasswordAuthentication,
            KbdInteractiveAuthentication = options.KbdInteractiveAuthentication < 0 ? 1 : options.KbdInteractiveAuthentication,
            IgnoreUnknown = options.IgnoreUnknown,
            HostKeyAlias = options.HostKeyAlias is null ? null : ConfigText.LowerAscii(options.HostKeyAlias),
            CanonicalizeHostname = Math.Max(0, options.CanonicalizeHostname),
        };

        // ssh -G shows ServerAliveInterval 0 when unset; the public value keeps "unset" apart, for ParamikoJump's own default.
        values.ServerAliveInterval = options.ServerAliveInterval;
        foreach (var pair in options.Others)
        {
            values.Others[pair.Key] = pair.Value.Value;
            values.OtherOrigins[pair.Key] = pair.Value.Origin;
        }

        var port = values.Port.ToString(CultureInfo.InvariantCulture);
        var tokens = TokenTable.For(_account, host, port, values.User, hostArg, values.HostKeyAlias ?? hostArg);

        values.IdentityFilesConfigured = options.IdentityFiles.Count > 0;
        var identities = values.IdentityFilesConfigured
            ? options.IdentityFiles.Select(f => f.Path).ToList()
            : DefaultIdentityFiles.Select(f => new Sourced(f, default)).ToList();
        values.RawIdentityFiles = identities.Select(f => f.Value).ToList();
        values.IdentityFiles = identities.Where(f => !ConfigText.EqualsIgnoreCase(f.Value, "none")).Select(f => ExpandPath(f, tokens, "IdentityFile")).ToList();
        values.RawCertificateFiles = options.CertificateFiles.Select(f => f.Path.Value).ToList();
        values.CertificateFiles = options.CertificateFiles.Select(f => ExpandPath(f.Path, tokens, "CertificateFile")).ToList();

        values.IdentityAgent = IdentityAgent(values, tokens);

        var user = options.UserKnownHostsFiles.Count > 0
            ? options.UserKnownHostsFiles
            : [new Sourced("~/.ssh/known_hosts", default), new Sourced("~/.ssh/known_hosts2", default)];
        CheckNoneAlone(user, "UserKnownHostsFile");
        values.UserKnownHostsFiles = IsNone(user) ? [] : user.Select(f => ExpandPath(f, tokens, "UserKnownHostsFile")).ToList();

        var global = options.GlobalKnownHostsFiles.Count > 0
            ? options.GlobalKnownHostsFiles
            : [new Sourced("/etc/ssh/ssh_known_hosts", default), new Sourced("/etc/ssh/ssh_known_hosts2", default)];
        CheckNoneAlone(global, "GlobalKnownHostsFile");
        values.RawGlobalKnownHostsFiles = IsNone(global) ? [] : global.Select(f => f.Value).ToList();
        values.GlobalKnownHostsFiles = values.RawGlobalKnownHostsFiles.Select(f => _account.ExpandTilde(f) ?? f).ToList();

        if (options.JumpHost is "none" && options.JumpPort == 0 && options.JumpUser is null)
        {
            options.JumpHost = null;
        }

        if (options.JumpHost is { } jumpHost)
        {
            var last = SshDestination.Format(options.JumpUser, jumpHost, options.JumpPort);
            values.ProxyJump = options.JumpExtra is null ? last : options.JumpExtra + "," + last;
        }
        else if (options.ProxyCommand is { } command && !ConfigText.EqualsIgnoreCase(command.Value, "none"))
        {
            values.ProxyCommand = command.Value;
        }

        return values;
    }

    /// <summary>
    /// <c>IdentityAgent</c> as ssh reads it: <c>none</c> and <c>SSH_AUTH_SOCK</c> as they are, <c>$NAME</c> the variable's
    /// value (no agent when it is unset), anything else a path with <c>~</c>, <c>%</c> tokens and <c>${NAME}</c> expanded.
    /// </summary>
    private string? IdentityAgent(ResolvedValues values, Dictionary<char, string> tokens)
    {
        if (!values.Others.TryGetValue("identityagent", out var agent) || agent is "none" or "SSH_AUTH_SOCK")
        {
            return agent;
        }

        if (agent.Length > 1 && agent[0] == '$' && agent[1] != '{')
        {
            return _account.Environment(agent.Substring(1)) is { Length: > 0 } fromVariable ? fromVariable : "none";
        }

        return ExpandPath(new Sourced(agent, values.OtherOrigins["identityagent"]), tokens, "IdentityAgent");
    }

    private static bool IsNone(List<Sourced> files) => files.Count > 0 && ConfigText.EqualsIgnoreCase(files[0].Value, "none");

    private static void CheckNoneAlone(List<Sourced> files, string keyword)
    {
        if (IsNone(files) && files.Count > 1)
        {
            throw new SshConfigException($"Invalid {keyword}: \"none\" appears with other entries", files[0].Origin.File, files[0].Origin.Line);
        }
    }

    private string ExpandPath(Sourced path, Dictionary<char, string> tokens, string keyword)
    {
        var tilde = _account.ExpandTilde(path.Value)
            ?? throw new SshConfigException($"{keyword} '{path.Value}': no such user for '~'", path.Origin.File, path.Origin.Line);
        return Tokens.Expand(tilde, tokens, _account.Environment, out var error)
            ?? throw new SshConfigException($"{keyword} '{path.Value}': {error}", path.Origin.File, path.Origin.Line);
    }
}
