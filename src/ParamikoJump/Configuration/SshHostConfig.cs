using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.Extensions.Logging;
using ParamikoJump.HostKeys;
using ParamikoJump.Logging;

namespace ParamikoJump.Configuration;

/// <summary>
/// What OpenSSH's client configuration says about one host, resolved as <c>ssh</c> resolves it (the values
/// <c>ssh -G HOST</c> prints), with the chain of jumps that reaches it. <see cref="ToHopSettings"/> turns it into
/// the settings of one hop.
/// </summary>
public sealed class SshHostConfig
{
    internal SshHostConfig(ResolvedValues values, IReadOnlyList<SshHostConfig> jumps, ILogger logger)
    {
        Values = values;
        Jumps = jumps;
        Logger = logger;
    }

    /// <summary>The host as it was asked for (ssh's <c>host</c>, the config alias), e.g. <c>bastion</c>.</summary>
    public string Name => Values.Name;

    /// <summary>The name or address to connect to (<c>HostName</c>, lowercased unless an address, as ssh uses it).</summary>
    public string HostName => Values.HostName;

    /// <summary>The port (<c>Port</c>); 22 unless set.</summary>
    public int Port => Values.Port;

    /// <summary>The user (<c>User</c>); the local user unless set.</summary>
    public string User => Values.User;

    /// <summary>
    /// The identity files with <c>~</c>, tokens and <c>${VAR}</c> expanded (<c>IdentityFile</c>); ssh's defaults
    /// (<c>~/.ssh/id_rsa</c>, ...) when none is set.
    /// </summary>
    public IReadOnlyList<string> IdentityFiles => Values.IdentityFiles;

    /// <summary>Whether the configuration named identity files itself (rather than ssh's defaults).</summary>
    public bool HasConfiguredIdentityFiles => Values.IdentityFilesConfigured;

    /// <summary><c>IdentitiesOnly</c>.</summary>
    public bool IdentitiesOnly => Values.IdentitiesOnly == 1;

    /// <summary>The certificate files, expanded (<c>CertificateFile</c>).</summary>
    public IReadOnlyList<string> CertificateFiles => Values.CertificateFiles;

    /// <summary>The jumps as <c>ssh -G</c> prints <c>proxyjump</c>, or <see langword="null"/> when there are none.</summary>
    public string? ProxyJump => Values.ProxyJump;

    /// <summary>The <c>ProxyCommand</c> as written, or <see langword="null"/>.</summary>
    public string? ProxyCommand => Values.ProxyCommand;

    /// <summary>
    /// The hops that lead here, first one first, each resolved through its own Host block (and its own ProxyJump,
    /// recursively); empty for a direct connection.
    /// </summary>
    public IReadOnlyList<SshHostConfig> Jumps { get; }

    /// <summary>The user known_hosts files, expanded (<c>UserKnownHostsFile</c>); the first receives new keys.</summary>
    public IReadOnlyList<string> UserKnownHostsFiles => Values.UserKnownHostsFiles;

    /// <summary>The system known_hosts files, <c>~</c> expanded (<c>GlobalKnownHostsFile</c>).</summary>
    public IReadOnlyList<string> GlobalKnownHostsFiles => Values.GlobalKnownHostsFiles;

    /// <summary><c>StrictHostKeyChecking</c>; <see cref="HostKeyChecking.Ask"/> unless set.</summary>
    public HostKeyChecking StrictHostKeyChecking => Values.StrictHostKeyChecking switch
    {
        1 => HostKeyChecking.Yes,
        0 => HostKeyChecking.No,
        3 => HostKeyChecking.AcceptNew,
        _ => HostKeyChecking.Ask,
    };

    /// <summary><c>HashKnownHosts</c>.</summary>
    public bool HashKnownHosts => Values.HashKnownHosts == 1;

    /// <summary><c>HostKeyAlias</c> (lowercased, as ssh uses it), or <see langword="null"/> when not set.</summary>
    public string? HostKeyAlias => Values.HostKeyAlias;

    /// <summary><c>ServerAliveInterval</c>, or <see langword="null"/> when not set (ssh then sends none; ParamikoJump keeps its own 15 s).</summary>
    public TimeSpan? ServerAliveInterval => Values.ServerAliveInterval < 0 ? null : TimeSpan.FromSeconds(Values.ServerAliveInterval);

    /// <summary><c>ServerAliveCountMax</c>; 3 unless set.</summary>
    public int ServerAliveCountMax => Values.ServerAliveCountMax < 0 ? 3 : Values.ServerAliveCountMax;

    /// <summary><c>ConnectTimeout</c>, or <see langword="null"/> when not set.</summary>
    public TimeSpan? ConnectTimeout => Values.ConnectTimeout < 0 ? null : TimeSpan.FromSeconds(Values.ConnectTimeout);

    /// <summary><c>PreferredAuthentications</c>, or <see langword="null"/> when not set.</summary>
    public IReadOnlyList<string>? PreferredAuthentications => Values.PreferredAuthentications?.Split(',');

    /// <summary><c>PubkeyAuthentication</c> (<c>unbound</c> and <c>host-bound</c> count as yes).</summary>
    public bool PubkeyAuthentication => Values.PubkeyAuthentication != 0;

    /// <summary><c>PasswordAuthentication</c>.</summary>
    public bool PasswordAuthentication => Values.PasswordAuthentication != 0;

    /// <summary><c>KbdInteractiveAuthentication</c>.</summary>
    public bool KbdInteractiveAuthentication => Values.KbdInteractiveAuthentication != 0;

    /// <summary>
    /// The other keywords that applied to this host (first value of each, lowercase keyword): ssh knows them,
    /// ParamikoJump keeps them here and otherwise ignores them, with a log line.
    /// </summary>
    public IReadOnlyDictionary<string, string> OtherOptions => Values.Others;

    internal ResolvedValues Values { get; }

    internal ILogger Logger { get; }

    /// <summary>
    /// The settings of this one hop: host, port and user; identity files that exist (ssh's defaults are looked
    /// for when none is configured), IdentitiesOnly and certificates; the authentication switches and order;
    /// a known_hosts store of the configured files with the policy <see cref="StrictHostKeyChecking"/> maps to;
    /// keep-alive and the connect budget; <c>KexAlgorithms</c>, <c>HostKeyAlgorithms</c>, <c>Ciphers</c> and <c>MACs</c>
    /// for this hop. Passwords and handlers are the caller's to add.
    /// </summary>
    /// <returns>New settings each time.</returns>
    /// <exception cref="SshConfigException"><c>CheckHostIP yes</c> applies to a host this client would reach directly by name, or an
    /// algorithm list leaves nothing SSH.NET implements.</exception>
    public HopSettings ToHopSettings()
    {
        RefuseCheckHostIp();
        var settings = new HopSettings(HostName)
        {
            Port = Port,
            Username = User,
            IdentitiesOnly = IdentitiesOnly,
            PubkeyAuthentication = PubkeyAuthentication,
            PasswordAuthentication = PasswordAuthentication,
            KbdInteractiveAuthentication = KbdInteractiveAuthentication,
            PreferredAuthentications = PreferredAuthentications?.ToList(),
            KeepAliveCountMax = Math.Max(1, ServerAliveCountMax),
            LookForKeys = !HasConfiguredIdentityFiles,
            HostKeyAlias = HostKeyAlias,
        };

        if (HasConfiguredIdentityFiles)
        {
            settings.KeyFilenames = Existing(IdentityFiles, "IdentityFile");
        }

        settings.CertificateFiles = Existing(CertificateFiles, "CertificateFile");
        if (ServerAliveInterval is { } interval)
        {
            settings.KeepAliveInterval = interval;
        }

        if (ConnectTimeout is { } connect && connect > TimeSpan.Zero)
        {
            settings.ConnectTimeout = connect;
        }

        settings.KnownHosts = KnownHostsStore();
        // With UserKnownHostsFile none ssh has nowhere to record a new key and refuses it whatever StrictHostKeyChecking says.
        settings.HostKeyPolicy = (StrictHostKeyChecking is HostKeyChecking.AcceptNew or HostKeyChecking.No) && UserKnownHostsFiles.Count > 0
            ? new AutoAddPolicy()
            : new RejectPolicy();
        // ForwardAgent yes|no is used; a socket path or $VARIABLE in its place (ssh 8.2+) is not, and is logged as ignored.
        settings.ForwardAgent = OtherOptions.TryGetValue("forwardagent", out var forwardAgent) && ForwardAgentFlag(forwardAgent) == true;
        settings.IdentityAgent = Values.IdentityAgent;
        if (OtherOptions.TryGetValue("sendenv", out var sendEnv))
        {
            settings.SendEnv = sendEnv.Split(' ').Where(name => name.Length > 0).ToList();
        }

        if (OtherOptions.TryGetValue("setenv", out var setEnv))
        {
            foreach (var pair in setEnv.Split(' ').Where(pair => pair.Contains('=')))
            {
                var equals = pair.IndexOf('=');
                settings.SetEnv[pair.Substring(0, equals)] = pair.Substring(equals + 1);
            }
        }

        // KexAlgorithms, HostKeyAlgorithms, Ciphers, MACs: for this hop only, as ssh reads them for the host they apply to.
        settings.KexAlgorithms = OtherOptions.TryGetValue("kexalgorithms", out var kex) ? kex : null;
        settings.HostKeyAlgorithms = OtherOptions.TryGetValue("hostkeyalgorithms", out var hostKeys) ? hostKeys : null;
        settings.Ciphers = OtherOptions.TryGetValue("ciphers", out var ciphers) ? ciphers : null;
        settings.MACs = OtherOptions.TryGetValue("macs", out var macs) ? macs : null;
        // PubkeyAcceptedKeyTypes is its old name (OpenSSH before 8.5); ssh reads either.
        settings.PubkeyAcceptedAlgorithms = OtherOptions.TryGetValue("pubkeyacceptedalgorithms", out var accepted) ? accepted
            : OtherOptions.TryGetValue("pubkeyacceptedkeytypes", out var keyTypes) ? keyTypes : null;
        foreach (var entry in ConfigReader.AlgorithmKeywords.Where(entry => OtherOptions.ContainsKey(entry.Key)))
        {
            if (!Hops.HopAlgorithms.TryUsable(entry.Value, OtherOptions[entry.Key], HostName, out _, out var problem))
            {
                var origin = Values.OtherOrigins[entry.Key];
                throw new SshConfigException(problem, origin.File, origin.Line);
            }
        }

        foreach (var keyword in OtherOptions.Keys)
        {
            var used = keyword is "sendenv" or "setenv" or "identityagent" || ConfigReader.AlgorithmKeywords.ContainsKey(keyword)
                || (keyword == "forwardagent" && ForwardAgentFlag(OtherOptions[keyword]) is not null);
            if (!used)
            {
                Log.ConfigKeywordIgnored(Logger, Values.OtherOrigins[keyword].ToString(), keyword, Name);
            }
        }

        return settings;
    }

    /// <summary><c>user@hostname:port</c> and the name asked for.</summary>
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "{0}@{1}:{2} ({3}){4}", User, HostName, Port, Name, ProxyJump is null ? string.Empty : " via " + ProxyJump);

    /// <summary>
    /// ssh's <c>CheckHostIP yes</c> also looks the key up under the address the name resolved to; ParamikoJump does
    /// not, so it refuses the setting where ssh would act on it rather than check less than asked. ssh itself skips
    /// it for an address, localhost, and a host reached through a jump or ProxyCommand.
    /// </summary>
    private void RefuseCheckHostIp()
    {
        // The value is kept as written; ssh reads flags without regard to case ("YES" is yes).
        if (OtherOptions.TryGetValue("checkhostip", out var value) && (ConfigText.EqualsIgnoreCase(value, "yes") || ConfigText.EqualsIgnoreCase(value, "true"))
            && Jumps.Count == 0 && ProxyCommand is null && HostName != "localhost" && !System.Net.IPAddress.TryParse(HostName, out _))
        {
            var origin = Values.OtherOrigins["checkhostip"];
            throw new SshConfigException(
                $"CheckHostIP yes is not supported for {HostName}: ParamikoJump checks the host key under the host's name (or HostKeyAlias) only, not also under its address as ssh would. Set CheckHostIP no for this host.",
                origin.File,
                origin.Line);
        }
    }

    private List<string> Existing(IEnumerable<string> files, string what)
    {
        var present = new List<string>();
        foreach (var file in files)
        {
            if (File.Exists(file))
            {
                present.Add(file);
            }
            else
            {
                Log.ConfigFileMissing(Logger, Name, what, file);
            }
        }

        return present;
    }

    /// <summary>
    /// ForwardAgent's value as ssh reads it: a flag (<c>yes</c>/<c>true</c>, <c>no</c>/<c>false</c>, any case), or
    /// <see langword="null"/> for anything else, which ssh takes for a socket path.
    /// </summary>
    private static bool? ForwardAgentFlag(string value) =>
        ConfigText.EqualsIgnoreCase(value, "yes") || ConfigText.EqualsIgnoreCase(value, "true") ? true
        : ConfigText.EqualsIgnoreCase(value, "no") || ConfigText.EqualsIgnoreCase(value, "false") ? false
        : null;

    private KnownHosts KnownHostsStore()
    {
        var store = new KnownHosts { HashHostNames = HashKnownHosts };
        foreach (var file in GlobalKnownHostsFiles.Concat(UserKnownHostsFiles.Skip(1)).Where(File.Exists))
        {
            store.LoadSystemHostKeys(file);
        }

        if (UserKnownHostsFiles.Count > 0)
        {
            store.LoadHostKeys(UserKnownHostsFiles[0]);
        }

        return store;
    }
}

/// <summary>The resolved values of one host, in ssh's own terms (ints with ssh's meanings), before defaults are shown.</summary>
internal sealed class ResolvedValues
{
    public string Name { get; set; } = string.Empty;

    public string HostName { get; set; } = string.Empty;

    public int Port { get; set; }

    public string User { get; set; } = string.Empty;

    public List<string> IdentityFiles { get; set; } = [];

    public List<string> RawIdentityFiles { get; set; } = [];

    /// <summary>IdentityAgent expanded (<see cref="HopSettings.IdentityAgent"/>), or null when not set.</summary>
    public string? IdentityAgent { get; set; }

    public bool IdentityFilesConfigured { get; set; }

    public int IdentitiesOnly { get; set; }

    public List<string> CertificateFiles { get; set; } = [];

    public List<string> RawCertificateFiles { get; set; } = [];

    public string? ProxyJump { get; set; }

    public string? ProxyCommand { get; set; }

    public List<string> UserKnownHostsFiles { get; set; } = [];

    public List<string> GlobalKnownHostsFiles { get; set; } = [];

    public List<string> RawGlobalKnownHostsFiles { get; set; } = [];

    public int StrictHostKeyChecking { get; set; }

    public int HashKnownHosts { get; set; }

    public int ServerAliveInterval { get; set; }

    public int ServerAliveCountMax { get; set; }

    public int ConnectTimeout { get; set; }

    public string? PreferredAuthentications { get; set; }

    public int PubkeyAuthentication { get; set; }

    public int PasswordAuthentication { get; set; }

    public int KbdInteractiveAuthentication { get; set; }

    public string? IgnoreUnknown { get; set; }

    public string? HostKeyAlias { get; set; }

    public int CanonicalizeHostname { get; set; }

    public Dictionary<string, string> Others { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, Origin> OtherOrigins { get; } = new(StringComparer.Ordinal);

    /// <summary>The keywords ParamikoJump resolves, each as <c>ssh -G</c> prints it (one entry per printed line).</summary>
    public List<(string Keyword, string Value)> AsSshG()
    {
        static string YesNo(int value) => value == 1 ? "yes" : "no";
        var lines = new List<(string, string)>
        {
            ("host", Name),
            ("user", User),
            ("hostname", HostName),
            ("port", Port.ToString(CultureInfo.InvariantCulture)),
            ("canonicalizehostname", CanonicalizeHostname switch { 1 => "true", 2 => "always", _ => "false" }),
            ("hashknownhosts", YesNo(HashKnownHosts)),
            ("identitiesonly", YesNo(IdentitiesOnly)),
            ("kbdinteractiveauthentication", YesNo(KbdInteractiveAuthentication)),
            ("passwordauthentication", YesNo(PasswordAuthentication)),
            ("pubkeyauthentication", PubkeyAuthentication switch { 0 => "false", 1 => "unbound", 2 => "host-bound", _ => "true" }),
            ("stricthostkeychecking", StrictHostKeyChecking switch { 0 => "false", 1 => "true", 3 => "accept-new", _ => "ask" }),
            ("serveralivecountmax", ServerAliveCountMax.ToString(CultureInfo.InvariantCulture)),
            ("serveraliveinterval", Math.Max(0, ServerAliveInterval).ToString(CultureInfo.InvariantCulture)),
            ("connecttimeout", ConnectTimeout < 0 ? "none" : ConnectTimeout.ToString(CultureInfo.InvariantCulture)),
            ("globalknownhostsfile", RawGlobalKnownHostsFiles.Count == 0 ? "none" : string.Join(" ", RawGlobalKnownHostsFiles)),
            ("userknownhostsfile", UserKnownHostsFiles.Count == 0 ? "none" : string.Join(" ", UserKnownHostsFiles)),
        };
        if (HostKeyAlias is not null)
        {
            lines.Add(("hostkeyalias", HostKeyAlias));
        }

        if (IgnoreUnknown is not null)
        {
            lines.Add(("ignoreunknown", IgnoreUnknown));
        }

        if (PreferredAuthentications is not null)
        {
            lines.Add(("preferredauthentications", PreferredAuthentications));
        }

        lines.AddRange(RawIdentityFiles.Select(file => ("identityfile", file)));
        lines.AddRange(RawCertificateFiles.Select(file => ("certificatefile", file)));
        if (ProxyJump is not null)
        {
            lines.Add(("proxyjump", ProxyJump));
        }
        else if (ProxyCommand is not null)
        {
            lines.Add(("proxycommand", ProxyCommand));
        }

        return lines;
    }
}
