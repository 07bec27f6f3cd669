using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.Extensions.Logging;
using ParamikoJump.Logging;

namespace ParamikoJump.Configuration;

/// <summary>How a file is read: ssh's SSHCONF_* flags.</summary>
[Flags]
internal enum ReadFlags
{
    None = 0,

    /// <summary>A user's file: relative Includes are under ~/.ssh, and <c>~</c> may start them.</summary>
    UserConfig = 1,

    /// <summary>The file must not be writable by group or others.</summary>
    CheckPermissions = 2,

    /// <summary>Read for its syntax only: nothing in it applies (an Include inside a block that does not apply).</summary>
    NeverMatch = 4,

    /// <summary>The final pass, after HostName is known (<c>Match final</c>, <c>Match canonical</c>).</summary>
    Final = 8,
}

/// <summary>
/// One pass of OpenSSH's readconf over the configuration for one host: every line is checked whether or not it
/// applies, lines that apply set options that are still unset, Host and Match decide what applies, Include reads
/// further files in place.
/// </summary>
internal sealed class ConfigReader
{
    private const int MaxIncludeDepth = 16;
    private static readonly TimeSpan ExecTimeout = TimeSpan.FromSeconds(30);

    private static readonly string[] Flag = ["true", "false", "yes", "no"];
    private static readonly int[] FlagValues = [1, 0, 1, 0];
    private static readonly string[] Strict = ["true", "false", "yes", "no", "ask", "off", "accept-new"];
    private static readonly int[] StrictValues = [1, 0, 1, 0, 2, 0, 3];
    private static readonly string[] Pubkey = ["true", "false", "yes", "no", "unbound", "host-bound"];
    private static readonly int[] PubkeyValues = [3, 0, 3, 0, 1, 2];
    private static readonly string[] Canonicalize = ["true", "false", "yes", "no", "always"];
    private static readonly int[] CanonicalizeValues = [1, 0, 1, 0, 2];

    private readonly ConfigOptions _options;
    private readonly LocalAccount _account;
    private readonly string _host;
    private readonly string _originalHost;
    private readonly bool _allowExec;
    private readonly ILogger _logger;

    public ConfigReader(ConfigOptions options, LocalAccount account, string host, string originalHost, bool allowExec, ILogger logger)
    {
        _options = options;
        _account = account;
        _host = host;
        _originalHost = originalHost;
        _allowExec = allowExec;
        _logger = logger;
    }

    /// <summary>Set when a <c>Match final</c> line asks for a final pass.</summary>
    public bool WantFinalPass { get; private set; }

    /// <summary>Reads one file (or text) from the top: it starts active.</summary>
    public void Read(string name, string? text, ReadFlags flags)
    {
        var active = true;
        ReadFile(name, text, flags, ref active, 0);
    }

    private static SshConfigException Bad(Origin at, string message) => new(message, at.File, at.Line);

    private void ReadFile(string path, string? text, ReadFlags flags, ref bool active, int depth)
    {
        if (depth > MaxIncludeDepth)
        {
            throw new SshConfigException($"too many recursive configuration includes (more than {MaxIncludeDepth} deep)", path, 0);
        }

        if (text is null)
        {
            if (Directory.Exists(path))
            {
                // ssh opens a directory and reads nothing from it.
                return;
            }

            if ((flags & ReadFlags.CheckPermissions) != 0)
            {
                FilePermissions.Check(path);
            }

            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new SshConfigException($"cannot be read: {ex.Message}", path, 0, ex);
            }
        }

        var lines = text.Split('\n');
        var count = lines.Length > 0 && lines[lines.Length - 1].Length == 0 ? lines.Length - 1 : lines.Length;
        for (var i = 0; i < count; i++)
        {
            ProcessLine(lines[i], new Origin(path, i + 1), flags, ref active, depth);
        }
    }

    private void ProcessLine(string raw, Origin at, ReadFlags flags, ref bool active, int depth)
    {
        // C strings end at a NUL byte: nothing after one is read.
        var nul = raw.IndexOf('\0');
        var line = ConfigText.TrimLineEnd(nul >= 0 ? raw.Substring(0, nul) : raw);
        if (line.Length == 0)
        {
            return;
        }

        string? str = line;
        var keyword = ConfigText.StrDelim(ref str);
        if (keyword is { Length: 0 })
        {
            keyword = ConfigText.StrDelim(ref str);
        }

        if (keyword is null || keyword.Length == 0 || keyword[0] == '\n' || keyword[0] == '#')
        {
            return;
        }

        keyword = ConfigText.LowerAscii(keyword);
        if (str is not null)
        {
            str = str.Substring(ConfigText.SkipWhitespace(str, 0));
        }

        if (string.IsNullOrEmpty(str))
        {
            throw Bad(at, $"no argument after keyword \"{keyword}\"");
        }

        var entry = ConfigKeywords.Find(keyword);
        var ignoredUnknown = entry is null && _options.IgnoreUnknown is { } ignore && SshPatterns.MatchList(keyword, ignore, lowerPatterns: true) == 1;
        if (entry is null && !ignoredUnknown)
        {
            throw Bad(at, $"Bad configuration option: {keyword}");
        }

        var args = ConfigText.ArgvSplit(str!) ?? throw Bad(at, "invalid quotes");
        var argument = new Arguments(args);
        if (ignoredUnknown)
        {
            Log.ConfigIgnoredUnknown(_logger, at.ToString(), keyword);
            return;
        }

        var (which, kind, choices) = entry!.Value;
        var applies = active;
        switch (which)
        {
            case Keyword.Ignore:
                argument.ConsumeAll();
                break;
            case Keyword.Deprecated:
                Log.ConfigDeprecated(_logger, at.ToString(), keyword);
                argument.ConsumeAll();
                break;
            case Keyword.ConnectTimeout:
                SetIfUnset(applies, _options.ConnectTimeout, ParseTime(argument.Next(), at), v => _options.ConnectTimeout = v);
                break;
            case Keyword.ServerAliveInterval:
                SetIfUnset(applies, _options.ServerAliveInterval, ParseTime(argument.Next(), at), v => _options.ServerAliveInterval = v);
                break;
            case Keyword.ServerAliveCountMax:
                SetIfUnset(applies, _options.ServerAliveCountMax, ParseInteger(argument.Next(), at), v => _options.ServerAliveCountMax = v);
                break;
            case Keyword.PasswordAuthentication:
                SetIfUnset(applies, _options.PasswordAuthentication, ParseChoice(argument.Next(), Flag, FlagValues, at), v => _options.PasswordAuthentication = v);
                break;
            case Keyword.KbdInteractiveAuthentication:
                SetIfUnset(applies, _options.KbdInteractiveAuthentication, ParseChoice(argument.Next(), Flag, FlagValues, at), v => _options.KbdInteractiveAuthentication = v);
                break;
            case Keyword.IdentitiesOnly:
                SetIfUnset(applies, _options.IdentitiesOnly, ParseChoice(argument.Next(), Flag, FlagValues, at), v => _options.IdentitiesOnly = v);
                break;
            case Keyword.HashKnownHosts:
                SetIfUnset(applies, _options.HashKnownHosts, ParseChoice(argument.Next(), Flag, FlagValues, at), v => _options.HashKnownHosts = v);
                break;
            case Keyword.PubkeyAuthentication:
                SetIfUnset(applies, _options.PubkeyAuthentication, ParseChoice(argument.Next(), Pubkey, PubkeyValues, at), v => _options.PubkeyAuthentication = v);
                break;
            case Keyword.StrictHostKeyChecking:
                SetIfUnset(applies, _options.StrictHostKeyChecking, ParseChoice(argument.Next(), Strict, StrictValues, at), v => _options.StrictHostKeyChecking = v);
                break;
            case Keyword.CanonicalizeHostname:
                SetIfUnset(applies, _options.CanonicalizeHostname, ParseChoice(argument.Next(), Canonicalize, CanonicalizeValues, at), v => _options.CanonicalizeHostname = v);
                break;
            case Keyword.IdentityFile:
                AddFile(_options.IdentityFiles, ConfigOptions.MaxIdentityFiles, "identity", argument.Next(), at, applies, flags);
                break;
            case Keyword.CertificateFile:
                AddFile(_options.CertificateFiles, ConfigOptions.MaxCertificateFiles, "certificate", argument.Next(), at, applies, flags);
                break;
            case Keyword.User:
                SetIfUnset(applies, _options.User, ParseWord(argument.Next(), at), v => _options.User = v);
                break;
            case Keyword.HostName:
                SetIfUnset(applies, _options.HostName, new Sourced(ParseWord(argument.Next(), at), at), v => _options.HostName = v);
                break;
            case Keyword.PreferredAuthentications:
                SetIfUnset(applies, _options.PreferredAuthentications, ParseWord(argument.Next(), at), v => _options.PreferredAuthentications = v);
                break;
            case Keyword.IgnoreUnknown:
                SetIfUnset(applies, _options.IgnoreUnknown, ParseWord(argument.Next(), at), v => _options.IgnoreUnknown = v);
                break;
            case Keyword.HostKeyAlias:
                SetIfUnset(applies, _options.HostKeyAlias, ParseWord(argument.Next(), at), v => _options.HostKeyAlias = v);
                break;
            case Keyword.UserKnownHostsFile:
                AddFileList(_options.UserKnownHostsFiles, keyword, argument, at, applies);
                break;
            case Keyword.GlobalKnownHostsFile:
                AddFileList(_options.GlobalKnownHostsFiles, keyword, argument, at, applies);
                break;
            case Keyword.ProxyCommand:
                // Ignored once ProxyJump is set: ProxyJump sets ProxyCommand to "none" itself.
                SetIfUnset(applies, _options.ProxyCommand, new Sourced(str!.Substring(SkipWhitespaceOrEquals(str!)), at), v => _options.ProxyCommand = v);
                argument.ConsumeAll();
                break;
            case Keyword.ProxyJump:
                var jump = str!.Substring(SkipWhitespaceOrEquals(str!));
                if (!JumpSpec.Apply(jump, _options, strict: false, applies))
                {
                    throw Bad(at, $"Invalid ProxyJump \"{jump}\"");
                }

                argument.ConsumeAll();
                break;
            case Keyword.Port:
                var portText = argument.Next();
                if (string.IsNullOrEmpty(portText))
                {
                    throw Bad(at, "Missing argument.");
                }

                var port = ConfigText.A2Port(portText!) ?? -1;
                if (port <= 0)
                {
                    throw Bad(at, $"Bad port '{portText}'.");
                }

                SetIfUnset(applies, _options.Port, port, v => _options.Port = v);
                break;
            case Keyword.Host:
                active = HostApplies(argument, at, flags);
                break;
            case Keyword.Match:
                string? condition = str;
                var matched = MatchApplies(ref condition, at, flags);
                active = (flags & ReadFlags.NeverMatch) == 0 && matched;
                if (string.IsNullOrEmpty(condition))
                {
                    argument.ConsumeAll();
                }

                break;
            case Keyword.Include:
                Include(argument, at, flags, ref active, depth);
                break;
            default:
                CheckOther(keyword, kind, choices, argument, at, applies);
                break;
        }

        if (argument.Remaining > 0)
        {
            throw Bad(at, $"keyword {keyword} extra arguments at end of line");
        }
    }

    private static int SkipWhitespaceOrEquals(string text)
    {
        var i = 0;
        while (i < text.Length && text[i] is ' ' or '\t' or '\r' or '\n' or '=')
        {
            i++;
        }

        return i;
    }

    /// <summary>The first obtained value wins: a line sets a keyword only where it applies and no earlier line set it (-1: unset).</summary>
    private static void SetIfUnset(bool applies, int current, int value, Action<int> set)
    {
        if (applies && current == -1)
        {
            set(value);
        }
    }

    /// <inheritdoc cref="SetIfUnset(bool, int, int, Action{int})"/>
    private static void SetIfUnset(bool applies, string? current, string value, Action<string> set)
    {
        if (applies && current is null)
        {
            set(value);
        }
    }

    /// <inheritdoc cref="SetIfUnset(bool, int, int, Action{int})"/>
    private static void SetIfUnset(bool applies, Sourced? current, Sourced value, Action<Sourced> set)
    {
        if (applies && current is null)
        {
            set(value);
        }
    }

    private static int ParseTime(string? text, Origin at)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Bad(at, "missing time value.");
        }

        if (string.Equals(text, "none", StringComparison.Ordinal))
        {
            return -1;
        }

        return ConfigText.ConvTime(text) ?? throw Bad(at, $"invalid time value '{text}'.");
    }

    private static int ParseInteger(string? text, Origin at)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Bad(at, "integer value missing.");
        }

        return (int?)ConfigText.StrToNum(text, 0, int.MaxValue) ?? throw Bad(at, $"integer value '{text}' is invalid or out of range.");
    }

    private static int ParseChoice(string? text, string[] names, int[] values, Origin at)
    {
        if (string.IsNullOrEmpty(text))
        {
            throw Bad(at, "missing argument.");
        }

        for (var i = 0; i < names.Length; i++)
        {
            if (ConfigText.EqualsIgnoreCase(text, names[i]))
            {
                return values[i];
            }
        }

        throw Bad(at, $"unsupported option \"{text}\" (expected one of: {string.Join(", ", names)}).");
    }

    private static string ParseWord(string? text, Origin at) => string.IsNullOrEmpty(text) ? throw Bad(at, "Missing argument.") : text!;

    private static void AddFile(List<(Sourced Path, bool UserProvided)> files, int max, string what, string? path, Origin at, bool applies, ReadFlags flags)
    {
        var value = ParseWord(path, at);
        if (!applies)
        {
            return;
        }

        if (files.Count >= max)
        {
            throw Bad(at, $"Too many {what} files specified (max {max}).");
        }

        var userProvided = (flags & ReadFlags.UserConfig) != 0;
        if (!files.Any(f => f.UserProvided == userProvided && string.Equals(f.Path.Value, value, StringComparison.Ordinal)))
        {
            files.Add((new Sourced(value, at), userProvided));
        }
    }

    private static void AddFileList(List<Sourced> files, string keyword, Arguments argument, Origin at, bool applies)
    {
        var wasEmpty = files.Count == 0;
        var index = 0;
        while (argument.Next() is { } path)
        {
            if (path.Length == 0)
            {
                throw Bad(at, $"keyword {keyword} empty argument");
            }

            if (ConfigText.EqualsIgnoreCase(path, "none") && (index > 0 || argument.Remaining > 0))
            {
                throw Bad(at, $"keyword {keyword} \"none\" argument must appear alone.");
            }

            index++;
            if (applies && wasEmpty)
            {
                if (files.Count >= ConfigOptions.MaxHostsFiles)
                {
                    throw Bad(at, $"too many {keyword} entries.");
                }

                files.Add(new Sourced(path, at));
            }
        }
    }

    private bool HostApplies(Arguments argument, Origin at, ReadFlags flags)
    {
        var applies = false;
        while (argument.Next() is { } pattern)
        {
            if (pattern.Length == 0)
            {
                throw Bad(at, "keyword host empty argument");
            }

            if ((flags & ReadFlags.NeverMatch) != 0)
            {
                argument.ConsumeAll();
                break;
            }

            var negated = pattern[0] == '!';
            if (SshPatterns.Match(_host, negated ? pattern.Substring(1) : pattern))
            {
                if (negated)
                {
                    argument.ConsumeAll();
                    return false;
                }

                applies = true;
            }
        }

        return applies;
    }

    /// <summary>readconf.c match_cfg_line: whether a Match line applies; <paramref name="condition"/> is left after what it read.</summary>
    private bool MatchApplies(ref string? condition, Origin at, ReadFlags flags)
    {
        var final = (flags & ReadFlags.Final) != 0;
        var neverMatch = (flags & ReadFlags.NeverMatch) != 0;
        var port = _options.Port <= 0 ? 22 : _options.Port;
        var remoteUser = _options.User ?? _account.UserName;
        string host;
        if (final)
        {
            host = _options.HostName?.Value ?? _host;
        }
        else if (_options.HostName is { } hostName)
        {
            host = ExpandHostName(hostName, _host);
        }
        else
        {
            host = _host;
        }

        var result = true;
        var attributes = 0;
        string? attribute;
        while ((attribute = ConfigText.StrDelim(ref condition)) is { Length: > 0 })
        {
            if (attribute[0] == '#')
            {
                condition = null;
                break;
            }

            var original = attribute;
            var negate = attribute[0] == '!';
            if (negate)
            {
                attribute = attribute.Substring(1);
            }

            if (ConfigText.EqualsIgnoreCase(attribute, "all"))
            {
                var next = ConfigText.StrDelim(ref condition);
                if (attributes > 1 || (next is { Length: > 0 } && next[0] != '#'))
                {
                    throw Bad(at, $"'{original}' cannot be combined with other Match attributes");
                }

                if (next is { Length: > 0 } && next[0] == '#')
                {
                    condition = null;
                }

                return result && !negate;
            }

            attributes++;
            if (ConfigText.EqualsIgnoreCase(attribute, "canonical") || ConfigText.EqualsIgnoreCase(attribute, "final"))
            {
                if (ConfigText.EqualsIgnoreCase(attribute, "final"))
                {
                    WantFinalPass = true;
                }

                if (final == negate)
                {
                    result = false;
                }

                continue;
            }

            var criteria = ConfigText.StrDelim(ref condition);
            if (criteria is null || criteria.Length == 0 || criteria[0] == '#')
            {
                throw Bad(at, $"Missing Match criteria for {attribute}");
            }

            bool hit;
            if (ConfigText.EqualsIgnoreCase(attribute, "host"))
            {
                hit = SshPatterns.MatchHost(host, criteria) == 1;
            }
            else if (ConfigText.EqualsIgnoreCase(attribute, "originalhost"))
            {
                hit = SshPatterns.MatchHost(_originalHost, criteria) == 1;
            }
            else if (ConfigText.EqualsIgnoreCase(attribute, "user"))
            {
                hit = SshPatterns.MatchList(remoteUser, criteria, lowerPatterns: false) == 1;
            }
            else if (ConfigText.EqualsIgnoreCase(attribute, "localuser"))
            {
                hit = SshPatterns.MatchList(_account.UserName, criteria, lowerPatterns: false) == 1;
            }
            else if (ConfigText.EqualsIgnoreCase(attribute, "exec"))
            {
                if (!result || neverMatch)
                {
                    // ssh skips the command once an earlier criterion failed; in a file read only for its syntax,
                    // the outcome cannot matter, so nothing is run.
                    continue;
                }

                hit = RunExec(criteria, host, port, remoteUser, at);
            }
            else
            {
                throw Bad(at, $"Unsupported Match attribute {attribute}");
            }

            if (hit == negate)
            {
                result = false;
            }
        }

        if (attributes == 0)
        {
            throw Bad(at, "One or more attributes required for Match");
        }

        return result;
    }

    private bool RunExec(string command, string host, int port, string remoteUser, Origin at)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var tokens = TokenTable.For(_account, host, portText, remoteUser, _originalHost, _options.HostKeyAlias is { } alias ? ConfigText.LowerAscii(alias) : host);
        var expanded = Tokens.Expand(command, tokens, environment: null, out var error)
            ?? throw Bad(at, $"Match exec '{command}': {error}");
        if (!_allowExec)
        {
            throw Bad(at, $"Match exec would run '{expanded}'; running commands from ssh_config is off. Set SshConfig.AllowMatchExec to true to allow it.");
        }

        var shell = _account.Environment("SHELL") is { Length: > 0 } s ? s : "/bin/sh";
        var start = new ProcessStartInfo(shell)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
        };
        start.Arguments = "-c " + QuoteArgument(expanded);
        using var process = Process.Start(start) ?? throw Bad(at, $"Match exec '{expanded}' could not be started with {shell}");
        process.StandardInput.Close();
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        if (!process.WaitForExit((int)ExecTimeout.TotalMilliseconds))
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // It ended meanwhile.
            }

            throw Bad(at, $"Match exec '{expanded}' did not finish within {ExecTimeout.TotalSeconds} s");
        }

        Log.ConfigMatchExec(_logger, at.ToString(), expanded, process.ExitCode);
        return process.ExitCode == 0;
    }

    /// <summary>One argument for ProcessStartInfo.Arguments, quoted by the rules .NET splits it with on every platform.</summary>
    private static string QuoteArgument(string value)
    {
        var quoted = new System.Text.StringBuilder("\"");
        var backslashes = 0;
        foreach (var c in value)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }

            quoted.Append('\\', c == '"' ? (backslashes * 2) + 1 : backslashes);
            backslashes = 0;
            quoted.Append(c);
        }

        return quoted.Append('\\', backslashes * 2).Append('"').ToString();
    }

    private void Include(Arguments argument, Origin at, ReadFlags flags, ref bool active, int depth)
    {
        var userConfig = (flags & ReadFlags.UserConfig) != 0;
        while (argument.Next() is { } pattern)
        {
            if (pattern.Length == 0)
            {
                throw Bad(at, "keyword include empty argument");
            }

            if (pattern[0] == '~' && !userConfig)
            {
                throw Bad(at, $"bad include path {pattern}.");
            }

            var anchored = pattern[0] == '/' || pattern[0] == '~'
                ? pattern
                : (userConfig ? "~/.ssh/" : SystemConfigDirectory + "/") + pattern;
            var files = IncludeGlob.Expand(anchored, _account);
            var wasActive = active;
            foreach (var file in files)
            {
                ReadFile(file, null, flags | ReadFlags.CheckPermissions | (wasActive ? ReadFlags.None : ReadFlags.NeverMatch), ref active, depth + 1);

                // A Match in an included file does not change what applies in the file that included it.
                active = wasActive;
            }
        }
    }

    /// <summary>The algorithm lists a hop takes from ssh_config, by lowercase keyword.</summary>
    internal static readonly Dictionary<string, AlgorithmKind> AlgorithmKeywords = new(StringComparer.Ordinal)
    {
        ["kexalgorithms"] = AlgorithmKind.KexAlgorithms,
        ["hostkeyalgorithms"] = AlgorithmKind.HostKeyAlgorithms,
        ["ciphers"] = AlgorithmKind.Ciphers,
        ["macs"] = AlgorithmKind.MACs,
        ["pubkeyacceptedalgorithms"] = AlgorithmKind.PubkeyAcceptedAlgorithms,
        ["pubkeyacceptedkeytypes"] = AlgorithmKind.PubkeyAcceptedAlgorithms,
    };

    /// <summary>Where relative Includes of the system file are looked for.</summary>
    internal const string SystemConfigDirectory = "/etc/ssh";

    private void CheckOther(string keyword, ArgumentKind kind, string[]? choices, Arguments argument, Origin at, bool applies)
    {
        string value;
        switch (kind)
        {
            case ArgumentKind.Flag:
                value = argument.Next() ?? string.Empty;
                ParseChoice(value, Flag, FlagValues, at);
                break;
            case ArgumentKind.Choice:
                value = argument.Next() ?? string.Empty;
                ParseChoice(value, choices!, Enumerable.Range(0, choices!.Length).ToArray(), at);
                break;
            case ArgumentKind.Time:
                value = argument.Next() ?? string.Empty;
                ParseTime(value, at);
                break;
            case ArgumentKind.Integer:
                value = argument.Next() ?? string.Empty;
                ParseInteger(value, at);
                break;
            case ArgumentKind.Word:
                value = ParseWord(argument.Next(), at);
                if (AlgorithmKeywords.TryGetValue(keyword, out var algorithms) && AlgorithmLists.Problem(algorithms, value) is { } problem)
                {
                    // ssh checks the names on every line, whether or not the line applies ("Bad SSH2 cipher spec").
                    throw Bad(at, problem);
                }

                break;
            case ArgumentKind.OneOrTwo:
                value = ParseWord(argument.Next(), at);
                if (argument.Next() is { } second)
                {
                    value += " " + second;
                }
                else if (keyword == "localforward")
                {
                    throw Bad(at, "Missing target argument.");
                }

                break;
            default:
                value = string.Join(" ", argument.All);
                if (keyword == "sendenv" && argument.All.Any(name => name.Length == 0 || name.Contains("=")))
                {
                    throw Bad(at, "Invalid environment name.");
                }

                if (keyword == "setenv" && argument.All.Any(pair => !pair.Contains("=")))
                {
                    throw Bad(at, "Invalid SetEnv.");
                }

                argument.ConsumeAll();
                break;
        }

        if (applies && !_options.Others.ContainsKey(keyword))
        {
            _options.Others[keyword] = new Sourced(value, at);
        }
        else if (applies && keyword == "sendenv")
        {
            // SendEnv adds up over every line that applies, as in ssh (readconf.c); other keywords keep their first value.
            _options.Others[keyword] = new Sourced(_options.Others[keyword].Value + " " + value, _options.Others[keyword].Origin);
        }
    }

    /// <summary>HostName's own expansion: only <c>%h</c> (the host as given) and <c>%%</c>.</summary>
    internal static string ExpandHostName(Sourced hostName, string host) =>
        Tokens.Expand(hostName.Value, new Dictionary<char, string> { ['h'] = host }, environment: null, out var error)
        ?? throw new SshConfigException($"HostName '{hostName.Value}': {error} (HostName knows only %h and %%)", hostName.Origin.File, hostName.Origin.Line);

    /// <summary>A line's arguments, taken one at a time; what is left at the end is an error.</summary>
    private sealed class Arguments
    {
        private readonly List<string> _words;
        private int _next;

        public Arguments(List<string> words)
        {
            _words = words;
        }

        public int Remaining => _words.Count - _next;

        public IReadOnlyList<string> All => _words;

        public string? Next() => _next < _words.Count ? _words[_next++] : null;

        public void ConsumeAll() => _next = _words.Count;
    }
}
