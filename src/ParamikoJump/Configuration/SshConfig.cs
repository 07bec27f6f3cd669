using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using ParamikoJump.Hops;
using ParamikoJump.Logging;

namespace ParamikoJump.Configuration;

/// <summary>
/// OpenSSH's client configuration, read as <c>ssh</c> (OpenSSH 9.2) reads it: the first value obtained wins;
/// <c>Host</c> patterns with <c>!</c> negation; <c>Match</c> (<c>host</c>, <c>originalhost</c>, <c>user</c>,
/// <c>localuser</c>, <c>all</c>, <c>final</c>, <c>canonical</c>; <c>exec</c> only when <see cref="AllowMatchExec"/>
/// is set); <c>Include</c> with globs and relative paths; <c>%h %p %r %u %n %d %%</c> (and ssh's other tokens)
/// and <c>~</c>. <see cref="Connect"/> builds the whole <c>ProxyJump</c> chain to a host and returns the target,
/// connected, owning its jumps.
/// </summary>
/// <remarks>
/// Files are read again at each <see cref="Resolve"/>, as each run of ssh reads them. A line ssh would refuse is
/// a <see cref="SshConfigException"/> naming the file and line. Keywords ssh knows that ParamikoJump does not use
/// (ForwardAgent, Ciphers, ...) are checked, kept in <see cref="SshHostConfig.OtherOptions"/> and otherwise ignored
/// with a log line. ParamikoJump never runs a ProxyCommand: only <c>ssh -W %h:%p HOST</c> is understood (as a jump
/// through HOST); any other is an error.
/// </remarks>
/// <example>
/// <code>
/// var config = SshConfig.LoadDefault();                 // ~/.ssh/config, then /etc/ssh/ssh_config
/// using var db = config.Connect("db", (name, hop) =>
/// {
///     if (name == "bastion") hop.AuthHandler = mfa;      // the host as the config names it
/// });
/// </code>
/// </example>
public sealed class SshConfig
{
    private readonly IReadOnlyList<ConfigSource> _sources;

    private SshConfig(IReadOnlyList<ConfigSource> sources)
    {
        _sources = sources;
    }

    /// <summary>The files read, in order (a name in parentheses for text given to <see cref="Parse"/>).</summary>
    public IReadOnlyList<string> Files => _sources.Select(source => source.Name).ToList();

    /// <summary>
    /// Whether <c>Match exec</c> may run its command (through <c>$SHELL -c</c>, as ssh does). Off by default: a
    /// configuration that needs it is refused with an error naming the line and the command.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool AllowMatchExec { get; set; }

    /// <summary>Where notes about the configuration are logged (ignored keywords, missing identity files).</summary>
    /// <value><see langword="null"/>: the factory given to SSH.NET's <c>SshNetLoggingConfiguration.InitializeLogging</c>.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The local user, home and machine the tokens and <c>~</c> refer to; tests give their own.</summary>
    internal LocalAccount Account { get; set; } = LocalAccount.Current();

    /// <summary>
    /// The files ssh reads when not given <c>-F</c>: the user's <c>~/.ssh/config</c> (which must not be writable by
    /// others), then the system's <c>/etc/ssh/ssh_config</c>; missing ones are skipped.
    /// </summary>
    /// <returns>The configuration.</returns>
    public static SshConfig LoadDefault()
    {
        var account = LocalAccount.Current();
        return new SshConfig(
        [
            new ConfigSource(Path.Combine(account.HomeDirectory, ".ssh", "config"), null, ReadFlags.UserConfig | ReadFlags.CheckPermissions),
            new ConfigSource(Path.Combine(ConfigReader.SystemConfigDirectory, "ssh_config"), null, ReadFlags.None),
        ]) { Account = account };
    }

    /// <summary>
    /// Only the given files, in order, each read as ssh reads the file given with <c>-F</c> (a leading <c>~</c> is
    /// the user's home; relative Includes under <c>~/.ssh</c>); neither <c>~/.ssh/config</c> nor the system file is read.
    /// </summary>
    /// <param name="paths">The files.</param>
    /// <returns>The configuration.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static SshConfig Load(params string[] paths)
    {
        if (paths is null || paths.Length == 0)
        {
            throw new ArgumentException("Give at least one configuration file, or use LoadDefault().", nameof(paths));
        }

        paths = paths.Select(path => HomePaths.Current.Expand(path, nameof(paths))).ToArray();
        foreach (var path in paths)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The ssh configuration file '{path}' does not exist.", path);
            }
        }

        return new SshConfig(paths.Select(path => new ConfigSource(Path.GetFullPath(path), null, ReadFlags.UserConfig)).ToList());
    }

    /// <summary>Configuration given as text, read as a user's file (relative Includes under <c>~/.ssh</c>).</summary>
    /// <param name="text">The configuration.</param>
    /// <param name="name">How errors name it.</param>
    /// <returns>The configuration.</returns>
    public static SshConfig Parse(string text, string name = "(ssh_config text)")
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }

        return new SshConfig([new ConfigSource(name, text, ReadFlags.UserConfig)]);
    }

    /// <summary>
    /// What the configuration says about <paramref name="destination"/>, as <c>ssh -G</c> prints it, with the
    /// chain of jumps that reaches it.
    /// </summary>
    /// <param name="destination">The host as ssh takes it: <c>[user@]host</c> or <c>ssh://[user@]host[:port]</c>.</param>
    /// <param name="jumps">Jumps as <c>ssh -J</c> takes them, which take the place of the configured ProxyJump; each is still resolved through its own Host block.</param>
    /// <returns>The resolved host.</returns>
    /// <exception cref="SshConfigException">A line ssh would refuse, a loop of jumps, or a ProxyCommand other than <c>ssh -W</c>.</exception>
    public SshHostConfig Resolve(string destination, string? jumps = null)
    {
        var (user, host, port) = ParseDestination(destination);
        var logger = SshNetLogging.CreateLogger(LoggerFactory);
        return new HostResolver(_sources, Account, AllowMatchExec, logger).Resolve(host, user, port, jumps);
    }

    /// <summary>Resolves as <c>ssh -l user -p port -J jumps host</c> would (user, port and jumps optional).</summary>
    internal SshHostConfig ResolveAs(string host, string? user, int port, string? jumps, bool followJumps = true)
    {
        var resolver = new HostResolver(_sources, Account, AllowMatchExec, SshNetLogging.CreateLogger(LoggerFactory));
        return followJumps ? resolver.Resolve(host, user, port, jumps) : resolver.ResolveAlone(host, user, port, jumps);
    }

    /// <summary>
    /// Connects every hop of <paramref name="destination"/>'s chain (ProxyJump, recursively), each with the settings
    /// its own configuration gives, and returns the target connected. The target owns the chain: disposing it closes
    /// every hop, the nearest jump first. If a hop fails, the hops already connected are closed.
    /// </summary>
    /// <param name="destination">The host as ssh takes it: <c>[user@]host</c> or <c>ssh://[user@]host[:port]</c>.</param>
    /// <param name="configure">
    /// Called for every hop, jumps first and the target last, with the host as the configuration names it (the
    /// alias, e.g. <c>bastion</c>) and the settings <see cref="SshHostConfig.ToHopSettings"/> made: add passwords,
    /// handlers or anything else there, for one hop or for all.
    /// </param>
    /// <param name="jumps">Jumps as <c>ssh -J</c> takes them, in place of the configured ProxyJump.</param>
    /// <returns>The connected target.</returns>
    public SshJumpClient Connect(string destination, Action<string, HopSettings>? configure = null, string? jumps = null) =>
        ChainConnector.Connect(Plan(destination, configure, jumps));

    /// <summary>Connects <paramref name="destination"/>'s chain asynchronously; see <see cref="Connect"/>.</summary>
    /// <param name="destination">The host as ssh takes it.</param>
    /// <param name="configure">Called for every hop with its name and settings.</param>
    /// <param name="jumps">Jumps as <c>ssh -J</c> takes them, in place of the configured ProxyJump.</param>
    /// <param name="cancellationToken">Cancels the connects in progress.</param>
    /// <returns>The connected target.</returns>
    public Task<SshJumpClient> ConnectAsync(string destination, Action<string, HopSettings>? configure = null, string? jumps = null, CancellationToken cancellationToken = default) =>
        ChainConnector.ConnectAsync(Plan(destination, configure, jumps), cancellationToken);

    /// <summary>ssh's reading of its destination argument: an ssh:// URI, or <c>[user@]host</c> (a colon is part of the host).</summary>
    internal static (string? User, string Host, int Port) ParseDestination(string destination)
    {
        if (string.IsNullOrEmpty(destination))
        {
            throw new ArgumentException("A destination host is required.", nameof(destination));
        }

        switch (SshDestination.ParseSshUri(destination, out var uriUser, out var uriHost, out var uriPort))
        {
            case 0:
                return (uriUser, uriHost!, uriPort);
            case 1:
                var at = destination.LastIndexOf('@');
                if (at == 0 || at == destination.Length - 1)
                {
                    throw new ArgumentException($"'{destination}' names no {(at == 0 ? "user" : "host")}.", nameof(destination));
                }

                return at < 0 ? (null, destination, -1) : (destination.Substring(0, at), destination.Substring(at + 1), -1);
            default:
                throw new ArgumentException($"'{destination}' is not an ssh:// URI ssh accepts.", nameof(destination));
        }
    }

    private List<HopSettings> Plan(string destination, Action<string, HopSettings>? configure, string? jumps)
    {
        var target = Resolve(destination, jumps);
        return target.Jumps.Concat([target]).Select(hop =>
        {
            var settings = hop.ToHopSettings();
            settings.LoggerFactory ??= LoggerFactory;
            configure?.Invoke(hop.Name, settings);
            return settings;
        }).ToList();
    }
}
