using System;
using System.Collections.Generic;

namespace ParamikoJump.Configuration;

/// <summary>What ParamikoJump does with a keyword: the ones it uses, and how the others' arguments are checked.</summary>
internal enum Keyword
{
    /// <summary>Known to ssh, not used here: its arguments are checked as <see cref="ArgumentKind"/> says, then it is kept and ignored.</summary>
    Other,
    Host,
    Match,
    Include,
    HostName,
    Port,
    User,
    IdentityFile,
    IdentitiesOnly,
    CertificateFile,
    ProxyJump,
    ProxyCommand,
    UserKnownHostsFile,
    GlobalKnownHostsFile,
    StrictHostKeyChecking,
    HashKnownHosts,
    ServerAliveInterval,
    ServerAliveCountMax,
    ConnectTimeout,
    PreferredAuthentications,
    PubkeyAuthentication,
    PasswordAuthentication,
    KbdInteractiveAuthentication,
    IgnoreUnknown,
    HostKeyAlias,
    CanonicalizeHostname,

    /// <summary>Silently ignored by ssh itself (Protocol).</summary>
    Ignore,

    /// <summary>Accepted by ssh with a note that it is deprecated or unsupported.</summary>
    Deprecated,
}

/// <summary>How the arguments of a keyword ParamikoJump ignores are checked, as ssh checks them.</summary>
internal enum ArgumentKind
{
    /// <summary>yes, no, true, false.</summary>
    Flag,

    /// <summary>One of a fixed set of words.</summary>
    Choice,

    /// <summary>A time (<c>30</c>, <c>1h30m</c>) or <c>none</c>.</summary>
    Time,

    /// <summary>A non-negative integer.</summary>
    Integer,

    /// <summary>Exactly one word.</summary>
    Word,

    /// <summary>The rest of the line.</summary>
    Command,

    /// <summary>One or more words.</summary>
    Words,

    /// <summary>One or two words.</summary>
    OneOrTwo,
}

/// <summary>The client keywords of OpenSSH 9.2 as Debian 12 builds it (with GSSAPI and PKCS#11), lowercase.</summary>
internal static class ConfigKeywords
{
    private static readonly string[] YesNoAsk = ["true", "false", "yes", "no", "ask"];

    private static readonly Dictionary<string, (Keyword Keyword, ArgumentKind Kind, string[]? Choices)> Table = Build();

    /// <summary>The keyword <paramref name="lowercase"/> names, or null when ssh does not know it.</summary>
    public static (Keyword Keyword, ArgumentKind Kind, string[]? Choices)? Find(string lowercase) =>
        Table.TryGetValue(lowercase, out var entry) ? entry : null;

    private static Dictionary<string, (Keyword, ArgumentKind, string[]?)> Build()
    {
        var table = new Dictionary<string, (Keyword, ArgumentKind, string[]?)>(StringComparer.Ordinal);
        void Use(Keyword keyword, params string[] names)
        {
            foreach (var name in names)
            {
                table[name] = (keyword, ArgumentKind.Words, null);
            }
        }

        void Other(ArgumentKind kind, params string[] names)
        {
            foreach (var name in names)
            {
                table[name] = (Keyword.Other, kind, null);
            }
        }

        void Choice(string name, params string[] choices) => table[name] = (Keyword.Other, ArgumentKind.Choice, choices);

        Use(Keyword.Host, "host");
        Use(Keyword.Match, "match");
        Use(Keyword.Include, "include");
        Use(Keyword.HostName, "hostname");
        Use(Keyword.Port, "port");
        Use(Keyword.User, "user");
        Use(Keyword.IdentityFile, "identityfile", "identityfile2");
        Use(Keyword.IdentitiesOnly, "identitiesonly");
        Use(Keyword.CertificateFile, "certificatefile");
        Use(Keyword.ProxyJump, "proxyjump");
        Use(Keyword.ProxyCommand, "proxycommand");
        Use(Keyword.UserKnownHostsFile, "userknownhostsfile");
        Use(Keyword.GlobalKnownHostsFile, "globalknownhostsfile");
        Use(Keyword.StrictHostKeyChecking, "stricthostkeychecking");
        Use(Keyword.HashKnownHosts, "hashknownhosts");
        Use(Keyword.ServerAliveInterval, "serveraliveinterval");
        Use(Keyword.ServerAliveCountMax, "serveralivecountmax");
        Use(Keyword.ConnectTimeout, "connecttimeout");
        Use(Keyword.PreferredAuthentications, "preferredauthentications");
        Use(Keyword.PubkeyAuthentication, "pubkeyauthentication", "dsaauthentication");
        Use(Keyword.PasswordAuthentication, "passwordauthentication");
        Use(Keyword.KbdInteractiveAuthentication, "kbdinteractiveauthentication", "challengeresponseauthentication", "skeyauthentication", "tisauthentication");
        Use(Keyword.IgnoreUnknown, "ignoreunknown");
        Use(Keyword.HostKeyAlias, "hostkeyalias");
        Use(Keyword.CanonicalizeHostname, "canonicalizehostname");
        Use(Keyword.Ignore, "protocol");
        Use(Keyword.Deprecated, "cipher", "fallbacktorsh", "globalknownhostsfile2", "rhostsauthentication", "userknownhostsfile2", "useroaming", "usersh", "useprivilegedport",
            "afstokenpassing", "kerberosauthentication", "kerberostgtpassing", "rsaauthentication", "rhostsrsaauthentication", "compressionlevel");

        Other(ArgumentKind.Flag, "forwardx11", "forwardx11trusted", "exitonforwardfailure", "gatewayports", "hostbasedauthentication", "gssapiauthentication",
            "gssapidelegatecredentials", "gssapikeyexchange", "gssapitrustdns", "gssapirenewalforcesrekey", "batchmode", "checkhostip", "tcpkeepalive", "keepalive",
            "clearallforwardings", "enablesshkeysign", "nohostauthenticationforlocalhost", "permitlocalcommand", "visualhostkey", "proxyusefdpass",
            "canonicalizefallbacklocal", "streamlocalbindunlink", "stdinnull", "forkafterauthentication", "enableescapecommandline");
        Other(ArgumentKind.Time, "forwardx11timeout");
        Other(ArgumentKind.Integer, "numberofpasswordprompts", "connectionattempts", "canonicalizemaxdots", "requiredrsasize");
        Other(ArgumentKind.Word, "kbdinteractivedevices", "xauthlocation", "bindaddress", "bindinterface", "pkcs11provider", "smartcarddevice", "securitykeyprovider",
            "controlpath", "revokedhostkeys", "gssapiclientidentity", "gssapiserveridentity", "gssapikexalgorithms", "ciphers", "macs", "kexalgorithms",
            "hostkeyalgorithms", "casignaturealgorithms", "hostbasedacceptedalgorithms", "hostbasedkeytypes", "pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes",
            "loglevel", "syslogfacility", "escapechar", "tunneldevice", "streamlocalbindmask", "fingerprinthash", "identityagent", "forwardagent", "controlpersist");
        Other(ArgumentKind.Command, "knownhostscommand", "localcommand", "remotecommand");
        Other(ArgumentKind.Words, "sendenv", "setenv", "logverbose", "permitremoteopen", "canonicaldomains", "canonicalizepermittedcnames");
        Other(ArgumentKind.OneOrTwo, "localforward", "remoteforward", "dynamicforward", "rekeylimit", "ipqos", "addkeystoagent");
        Choice("verifyhostkeydns", YesNoAsk);
        Choice("updatehostkeys", YesNoAsk);
        Choice("compression", "yes", "no");
        Choice("addressfamily", "inet", "inet6", "any");
        Choice("controlmaster", "true", "yes", "false", "no", "auto", "ask", "autoask");
        Choice("tunnel", "ethernet", "point-to-point", "true", "yes", "false", "no");
        Choice("requesttty", "true", "yes", "false", "no", "force", "auto");
        Choice("sessiontype", "none", "subsystem", "default");
        return table;
    }
}
