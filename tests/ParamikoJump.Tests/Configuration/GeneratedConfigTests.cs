using System.Collections.Concurrent;
using System.Text;
using ParamikoJump.Configuration;

namespace ParamikoJump.Tests.Configuration;

/// <summary>
/// Several hundred generated configurations (patterns, negation, Match, Include, tokens, first-wins, ProxyJump
/// chains): for each, every keyword we resolve equals what ssh -G prints, for several hosts and their jumps. And
/// fuzzed configurations never crash the reader: they resolve or raise <see cref="SshConfigException"/>.
/// </summary>
public sealed class GeneratedConfigTests(ConfigFiles files) : IClassFixture<ConfigFiles>
{
    private const int Configs = 300;

    private static readonly string[] Hosts = ["alpha", "beta", "gamma.example.com", "db1", "db2", "Web.Example.COM", "10.0.0.5", "fd00::7", "jump", "edge.example"];

    private static readonly string[] Patterns =
        ["*", "alpha", "a*", "*.example.com", "!beta", "db?", "*1", "gam*a.*", "WEB*", "web.*", "!*.com", "jump", "edge*", "10.0.0.*", "fd00::*", "?eta", "*a*"];

    [Fact(Timeout = 240_000)]
    public void Generated_configurations_resolve_as_ssh_G_resolves_them()
    {
        // The configurations and the questions asked of them are drawn in order from one seed; the answers (an ssh -G
        // process each, mostly waiting for exec) are then compared several at a time.
        var random = new Random(20260530);
        var cases = new List<(int Config, string Text, string File, string Host, string? User, int Port)>();
        for (var i = 0; i < Configs; i++)
        {
            var text = Generate(random, files, i);
            var file = files.Write(text, $"gen/config-{i}");
            foreach (var host in Hosts.OrderBy(_ => random.Next()).Take(3))
            {
                var user = random.Next(4) == 0 ? "cli-user" : null;
                var port = random.Next(5) == 0 ? 2200 : -1;
                cases.Add((i, text, file, host, user, port));
            }
        }

        var failures = new ConcurrentBag<(int Config, string Report)>();
        var compared = 0;
        Parallel.ForEach(
            cases,
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = TestContext.Current.CancellationToken },
            c =>
            {
                var differences = ConfigFiles.Differences(c.File, c.Host, c.User, c.Port);
                Interlocked.Increment(ref compared);
                if (differences.Count > 0)
                {
                    failures.Add((c.Config, $"config-{c.Config} ({c.File}):\n{c.Text}\n--\n{string.Join("\n", differences)}"));
                }
            });

        var first = failures.OrderBy(failure => failure.Config).Take(3).Select(failure => failure.Report);
        Assert.True(failures.IsEmpty, $"{failures.Count} of {compared} resolutions differ:\n\n{string.Join("\n\n", first)}");
        Assert.Equal(Configs * 3, compared);
    }

    [Fact(Timeout = 120_000)]
    public void Fuzzed_configurations_never_crash_the_reader()
    {
        var random = new Random(7);
        var exceptions = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
            var text = Mutate(random, Generate(random, files, 10_000 + i));
            var config = SshConfig.Parse(text, $"fuzz-{i}");
            config.AllowMatchExec = false;
            try
            {
                config.Resolve(Hosts[random.Next(Hosts.Length)]);
            }
            catch (SshConfigException)
            {
                // A refusal with file and line is the expected outcome for a damaged file.
            }
            catch (Exception ex)
            {
                exceptions.Add($"{ex.GetType().Name}: {ex.Message}\n{text}");
                if (exceptions.Count >= 3)
                {
                    break;
                }
            }
        }

        Assert.True(exceptions.Count == 0, string.Join("\n\n", exceptions));
    }

    [Fact(Timeout = 120_000)]
    public void Damaged_lines_are_refused_exactly_when_ssh_refuses_them()
    {
        var random = new Random(99);
        var disagreements = new List<string>();
        string[] damaged =
        [
            "Port 0", "Port 65536", "Port ssh", "Port -1", "Port 22 23", "User", "User a b", "HostName \"unterminated", "ConnectTimeout 5x", "ConnectTimeout 1h30m",
            "ServerAliveInterval -5", "ServerAliveCountMax 2147483648", "ServerAliveCountMax +4", "StrictHostKeyChecking maybe", "StrictHostKeyChecking Accept-New",
            "IdentitiesOnly 1", "PubkeyAuthentication unbound", "PubkeyAuthentication HOST-BOUND", "ProxyJump a,,b", "ProxyJump @host", "ProxyJump host:0",
            "ProxyJump ssh://user@host/path", "ProxyJump [fd00::1]x", "UserKnownHostsFile none other", "GlobalKnownHostsFile \"\"", "Match", "Match host",
            "Match all host x", "Match host x all", "Match bogus x", "Match !all", "Match canonical all", "Host \"\"", "NoSuchKeyword yes", "ForwardAgent maybe",
            "Compression maybe", "Include", "IdentityFile", "PreferredAuthentications a, b", "HashKnownHosts=yes", "Port=22=", "User=\"x y\"",
            "ProxyCommand", "IgnoreUnknown X", "Ciphers aes128-ctr extra", "LocalForward 1", "SendEnv A=B",
        ];
        foreach (var line in damaged)
        {
            TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
            var text = $"Host *\n  User base\n{line}\nHost other\n  Port 2022\n";
            var file = files.Write(text, $"damaged/{Guid.NewGuid():N}");
            var theirs = SshG.Run(file, "alpha");
            Exception? ours = null;
            try
            {
                SshConfig.Load(file).ResolveAs("alpha", null, -1, null);
            }
            catch (SshConfigException ex)
            {
                ours = ex;
                Assert.Equal(file, ex.FilePath);
                Assert.Equal(3, ex.Line);
            }

            if ((ours is null) != theirs.Ok)
            {
                disagreements.Add($"'{line}': ssh {(theirs.Ok ? "accepts" : "refuses: " + theirs.Error.Trim())}; we {(ours is null ? "accept" : "refuse: " + ours.Message)}");
            }
            else if (ours is null)
            {
                var differences = ConfigFiles.Differences(file, "alpha");
                disagreements.AddRange(differences.Select(d => $"'{line}': {d}"));
            }
        }

        _ = random;
        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
    }

    /// <summary>A random configuration from the constructs users write.</summary>
    internal static string Generate(Random random, ConfigFiles files, int index)
    {
        var text = new StringBuilder();
        var blocks = random.Next(1, 7);
        if (random.Next(6) == 0)
        {
            text.AppendLine("IgnoreUnknown UseKeychain,Fancy*");
            text.AppendLine("UseKeychain yes");
        }

        for (var b = 0; b < blocks; b++)
        {
            text.AppendLine(Header(random));
            var lines = random.Next(1, 6);
            for (var l = 0; l < lines; l++)
            {
                text.AppendLine("    " + Option(random));
            }

            if (random.Next(8) == 0)
            {
                var include = files.Write($"{Header(random)}\n    {Option(random)}\n    {Option(random)}\n", $"gen/inc-{index}-{b}.conf");
                text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"    Include {Path.GetDirectoryName(include)}/inc-{index}-{b}*.conf {Path.GetDirectoryName(include)}/none-{index}-*.conf");
            }
        }

        return text.ToString();
    }

    private static string Header(Random random)
    {
        switch (random.Next(10))
        {
            case < 6:
                var count = random.Next(1, 4);
                return "Host " + string.Join(" ", Enumerable.Range(0, count).Select(_ => Patterns[random.Next(Patterns.Length)]));
            default:
                string[] criteria =
                [
                    "host " + Patterns[random.Next(Patterns.Length)].TrimStart('!'), "originalhost " + Patterns[random.Next(Patterns.Length)].TrimStart('!'),
                    "user root,cli-*", "!user cli-user", "localuser root", "final", "canonical", "!final", "host \"" + Patterns[random.Next(Patterns.Length)].TrimStart('!') + ",!beta\"",
                    "exec true", "exec false", "exec \"test %h = alpha\"", "!host db*",
                ];
                if (random.Next(8) == 0)
                {
                    return "Match all";
                }

                var picked = Enumerable.Range(0, random.Next(1, 3)).Select(_ => criteria[random.Next(criteria.Length)]);
                return "Match " + string.Join(" ", picked);
        }
    }

    private static string Option(Random random)
    {
        string Host() => Hosts[random.Next(Hosts.Length)].ToLowerInvariant();
        string Jump()
        {
            var host = Host();
            var text = host.Contains(':') ? $"[{host}]" : host;
            if (random.Next(3) == 0)
            {
                text = "jumper@" + text;
            }

            if (random.Next(3) == 0 || host.Contains(':'))
            {
                text += ":" + (2200 + random.Next(3));
            }

            return text;
        }

        return random.Next(24) switch
        {
            0 => "HostName " + new[] { "%h.internal", "real-%h", "10.1.2.3", "Mixed.Case.Example", "%h", "fd00:0::1", "10.1", "%%literal" }[random.Next(8)],
            1 => "Port " + new[] { "22", "2222", "ssh", "8022" }[random.Next(4)],
            2 => "User " + new[] { "ops", "admin", "deploy", "%u" }[random.Next(4)],
            3 => "IdentityFile " + new[] { "~/.ssh/id_%h", "%d/.ssh/key_%r", "/keys/%u/%n", "~/.ssh/id_ed25519", "none" }[random.Next(5)],
            4 => "IdentitiesOnly " + new[] { "yes", "no", "true" }[random.Next(3)],
            5 => "CertificateFile " + new[] { "~/.ssh/cert-%h.pub", "/certs/%r.pub" }[random.Next(2)],
            6 or 7 => "ProxyJump " + (random.Next(6) == 0 ? "none" : string.Join(",", Enumerable.Range(0, random.Next(1, 3)).Select(_ => Jump()))),
            8 => "ProxyCommand " + new[] { "ssh -W %h:%p jump", "none", "nc %h %p" }[random.Next(3)],
            9 => "UserKnownHostsFile " + new[] { "~/.ssh/kh_%h", "%d/kh %d/kh2", "none", "/tmp/kh_%C" }[random.Next(4)],
            10 => "GlobalKnownHostsFile " + new[] { "/etc/ssh/other", "none", "~/global a b" }[random.Next(3)],
            11 => "StrictHostKeyChecking " + new[] { "yes", "no", "ask", "accept-new", "off" }[random.Next(5)],
            12 => "HashKnownHosts " + new[] { "yes", "no" }[random.Next(2)],
            13 => "ServerAliveInterval " + new[] { "30", "1m", "1h30m", "0", "none" }[random.Next(5)],
            14 => "ServerAliveCountMax " + new[] { "0", "3", "10" }[random.Next(3)],
            15 => "ConnectTimeout " + new[] { "5", "none", "2m" }[random.Next(3)],
            16 => "PreferredAuthentications " + new[] { "publickey", "keyboard-interactive,password", "password,publickey" }[random.Next(3)],
            17 => "PubkeyAuthentication " + new[] { "yes", "no", "unbound", "host-bound" }[random.Next(4)],
            18 => "PasswordAuthentication " + new[] { "yes", "no" }[random.Next(2)],
            19 => "KbdInteractiveAuthentication " + new[] { "yes", "no" }[random.Next(2)],
            20 => "HostKeyAlias " + new[] { "Alias-%h", "stable-name" }[random.Next(2)],
            21 => "CanonicalizeHostname " + new[] { "yes", "no" }[random.Next(2)],
            22 => new[] { "ForwardAgent yes", "Ciphers aes128-ctr", "SendEnv LANG", "Compression no", "LogLevel ERROR" }[random.Next(5)],
            _ => "ChallengeResponseAuthentication " + new[] { "yes", "no" }[random.Next(2)],
        };
    }

    /// <summary>Damages a configuration: cut lines, swapped characters, stray quotes, equals signs, control bytes.</summary>
    private static string Mutate(Random random, string text)
    {
        var chars = text.ToCharArray().ToList();
        var edits = random.Next(1, 8);
        const string Junk = "\"'=#!*?%${}[]:,@ \t\\\0\r\u00e9\u202e";
        for (var e = 0; e < edits && chars.Count > 0; e++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(4))
            {
                case 0: chars.RemoveAt(at); break;
                case 1: chars.Insert(at, Junk[random.Next(Junk.Length)]); break;
                case 2: chars[at] = Junk[random.Next(Junk.Length)]; break;
                default: chars.InsertRange(at, "\nHost " + (char)random.Next(33, 127)); break;
            }
        }

        return new string(chars.ToArray());
    }
}
