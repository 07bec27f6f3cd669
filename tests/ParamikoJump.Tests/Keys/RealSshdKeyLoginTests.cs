using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys;
using ParamikoJump.Hops;

namespace ParamikoJump.Tests.Keys;

/// <summary>
/// End-to-end logins against a throwaway OpenSSH server on 127.0.0.1, started as root with its own host key,
/// authorized_keys and user CA, and killed afterwards. Skipped where there is no root or no sshd (never in CI).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class RealSshdKeyLoginTests(RealSshdKeyLoginTests.Server server) : IClassFixture<RealSshdKeyLoginTests.Server>
{
    private const int TestTimeout = 60_000;

    [Fact(Timeout = TestTimeout)]
    public async Task Logs_in_with_an_encrypted_key_file_and_its_passphrase()
    {
        server.Require();
        using var client = server.Client(new KeyEnvironment(null, null), keyFilenames: [server.EncryptedEd25519], passphrase: KeyTestHops.Passphrase);

        await client.ConnectAsync(TestContext.Current.CancellationToken);

        Assert.Equal("ok", client.RunCommand("echo ok").Result.Trim());
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData("rsa")]
    [InlineData("ecdsa")]
    public async Task Logs_in_with_a_key_held_by_the_agent(string type)
    {
        server.Require();
        using var agent = new TestAgent(server.Kit);
        agent.Add(type == "rsa" ? server.AgentRsa : server.AgentEcdsa);
        using var client = server.Client(new KeyEnvironment(null, agent.Socket));

        await client.ConnectAsync(TestContext.Current.CancellationToken);

        Assert.True(client.IsConnected);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Logs_in_with_a_user_certificate_found_next_to_a_default_key()
    {
        server.Require();
        var home = server.Kit.PathOf("home-cert");
        Directory.CreateDirectory(Path.Combine(home, ".ssh"));
        File.Copy(server.CertifiedEd25519, Path.Combine(home, ".ssh", "id_ed25519"), overwrite: true);
        File.Copy(server.CertifiedEd25519 + "-cert.pub", Path.Combine(home, ".ssh", "id_ed25519-cert.pub"), overwrite: true);
        var mark = server.LogMark();
        using var client = server.Client(new KeyEnvironment(home, null));

        await client.ConnectAsync(TestContext.Current.CancellationToken);

        Assert.Contains("Accepted publickey for root", server.LogSince(mark, "Accepted publickey for root"), StringComparison.Ordinal);
        Assert.Contains("ED25519-CERT", server.LogSince(mark, "Accepted publickey for root"), StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Logs_in_with_an_RSA_certificate_held_by_the_agent()
    {
        server.Require();
        using var agent = new TestAgent(server.Kit);
        agent.Add(server.CertifiedRsa);
        var mark = server.LogMark();
        using var client = server.Client(new KeyEnvironment(null, agent.Socket));

        await client.ConnectAsync(TestContext.Current.CancellationToken);

        Assert.Contains("Accepted publickey for root", server.LogSince(mark, "Accepted publickey for root"), StringComparison.Ordinal);
        Assert.Contains("RSA-CERT", server.LogSince(mark, "Accepted publickey for root"), StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Refused_agent_keys_leave_the_password_its_turn_within_MaxAuthTries()
    {
        server.Require();
        using var agent = AgentHoldingUnauthorizedKeys();
        var mark = server.LogMark();
        using var client = server.Client(new KeyEnvironment(null, agent.Socket), password: "not-roots-password");

        var error = await Assert.ThrowsAsync<HopAuthenticationException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));
        client.Dispose();

        // Read once sshd is done with the connection, so that what it did not log is known, not merely not yet seen.
        var log = server.LogSince(mark, Server.ConnectionEnded);
        Assert.Contains("password", error.TriedMethods);
        Assert.Contains("Failed password for root", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Too many authentication failures", log, StringComparison.Ordinal);
        Assert.Equal(4, Count(log, "Failed publickey for root"));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Without_the_cap_sshd_cuts_the_login_before_the_password()
    {
        // The control for the test above: offering all eight keys is what costs the password its turn.
        server.Require();
        using var agent = AgentHoldingUnauthorizedKeys();
        var mark = server.LogMark();
        using var client = server.Client(new KeyEnvironment(null, agent.Socket), password: "not-roots-password");
        client.MaxAuthTries = 20;

        await Assert.ThrowsAnyAsync<Renci.SshNet.Common.SshException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        var log = server.LogSince(mark, Server.ConnectionEnded);
        Assert.Contains("Too many authentication failures", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed password for root", log, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task An_agent_that_refuses_to_sign_fails_the_login_with_a_key_error()
    {
        server.Require();
        using var agent = new TestAgent(server.Kit);
        agent.Add(server.AgentEcdsa, confirm: true);
        using var client = server.Client(new KeyEnvironment(null, agent.Socket));

        var error = await Assert.ThrowsAsync<HopKeyException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HopStage.Authentication, error.Stage);
        Assert.Contains("refused to sign", error.Message, StringComparison.Ordinal);
        Assert.Equal(HopStage.Authentication, client.Stage);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Each_hop_of_a_jump_chain_uses_its_own_keys()
    {
        // The server is its own jump here: the first hop logs in with the agent, the second, through the first's
        // forward, with an encrypted key file and no agent at all.
        server.Require();
        using var agent = new TestAgent(server.Kit);
        agent.Add(server.AgentRsa);
        using var jump = server.Client(new KeyEnvironment(null, agent.Socket));
        await jump.ConnectAsync(TestContext.Current.CancellationToken);
        using var target = server.Client(new KeyEnvironment(null, null), keyFilenames: [server.EncryptedEd25519], passphrase: KeyTestHops.Passphrase, jump: jump);
        target.MaxAuthTries = 1;

        await target.ConnectAsync(TestContext.Current.CancellationToken);

        Assert.Equal("ok", target.RunCommand("echo ok").Result.Trim());
        Assert.Equal(6, jump.MaxAuthTries);
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_server_taking_only_ssh_rsa_signatures_is_reached_by_key_only_when_PubkeyAcceptedAlgorithms_opts_in(bool fromAgent)
    {
        server.Require();
        using var agent = new TestAgent(server.Kit);
        agent.Add(server.AgentRsa);
        var keys = fromAgent ? new KeyEnvironment(null, agent.Socket) : new KeyEnvironment(null, null);
        string[] keyFiles = fromAgent ? [] : [server.AgentRsa];
        using var strict = server.Client(keys, keyFilenames: keyFiles, port: server.Sha1OnlyPort);
        var mark = server.LogMark();
        using var optedIn = server.Client(keys, keyFilenames: keyFiles, port: server.Sha1OnlyPort, pubkeyAcceptedAlgorithms: "+ssh-rsa");

        await Assert.ThrowsAsync<HopAuthenticationException>(() => strict.ConnectAsync(TestContext.Current.CancellationToken));
        await optedIn.ConnectAsync(TestContext.Current.CancellationToken);

        Assert.Equal("ok", optedIn.RunCommand("echo ok").Result.Trim());
        // The opted-in client offers rsa-sha2-512 first (refused, as for the strict one), then ssh-rsa, accepted.
        var log = server.LogSince(mark, "Accepted publickey for root");
        Assert.Contains("signature algorithm rsa-sha2-512 not in PubkeyAcceptedAlgorithms", log, StringComparison.Ordinal);
        Assert.Contains("Accepted publickey for root", log, StringComparison.Ordinal);
        Assert.Contains("ssh2: RSA SHA256:", log, StringComparison.Ordinal);
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>An agent holding the eight keys the server does not accept, ahead of a password login.</summary>
    private TestAgent AgentHoldingUnauthorizedKeys()
    {
        var agent = new TestAgent(server.Kit);
        try
        {
            foreach (var key in server.Unauthorized)
            {
                agent.Add(key);
            }

            return agent;
        }
        catch
        {
            agent.Dispose();
            throw;
        }
    }

    /// <summary>One sshd for the class; keys and the CA are made once.</summary>
    public sealed class Server : IDisposable
    {
        private readonly Process? _sshd;
        private readonly string? _skipReason;

        public Server()
        {
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/sbin/sshd"))
            {
                _skipReason = "needs Linux, root and /usr/sbin/sshd (openssh-server)";
                return;
            }

            var host = Kit.Generate("host_ed25519", "ed25519");
            var ca = Kit.Generate("user_ca", "ed25519");
            EncryptedEd25519 = Kit.Generate("login_ed25519", "ed25519", KeyTestHops.Passphrase);
            AgentRsa = Kit.Generate("login_rsa", "rsa");
            AgentEcdsa = Kit.Generate("login_ecdsa", "ecdsa");
            CertifiedEd25519 = Kit.Generate("cert_ed25519", "ed25519");
            KeyKit.Certify(CertifiedEd25519, ca, "root");
            CertifiedRsa = Kit.Generate("cert_rsa", "rsa");
            KeyKit.Certify(CertifiedRsa, ca, "root");
            Unauthorized = Enumerable.Range(1, 8).Select(i => Kit.Generate($"stranger_{i}", "ed25519")).ToArray();
            File.WriteAllLines(Kit.PathOf("authorized_keys"), [KeyKit.PublicKeyLine(EncryptedEd25519), KeyKit.PublicKeyLine(AgentRsa), KeyKit.PublicKeyLine(AgentEcdsa)]);

            Port = FreePort();
            Sha1OnlyPort = FreePort();
            LogFile = Kit.PathOf("sshd.log");
            var config = Kit.PathOf("sshd_config");
            File.WriteAllLines(config,
            [
                $"Port {Port}",
                "ListenAddress 127.0.0.1",
                $"HostKey {host}",
                $"PidFile {Kit.PathOf("sshd.pid")}",
                $"AuthorizedKeysFile {Kit.PathOf("authorized_keys")}",
                $"TrustedUserCAKeys {ca}.pub",
                "PermitRootLogin yes",
                "PubkeyAuthentication yes",
                "PasswordAuthentication yes",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "MaxAuthTries 6",
                "LogLevel VERBOSE",
                // A second port that, like an old device, takes RSA keys only with SHA-1 (ssh-rsa) signatures.
                $"Port {Sha1OnlyPort}",
                $"Match LocalPort {Sha1OnlyPort}",
                "  PubkeyAcceptedAlgorithms ssh-rsa",
            ]);
            Directory.CreateDirectory("/run/sshd");
            var start = new ProcessStartInfo("/usr/sbin/sshd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "-D", "-f", config, "-E", LogFile })
            {
                start.ArgumentList.Add(arg);
            }

            _sshd = Process.Start(start)!;
            WaitUntilListening();
            HostKeys.Add($"[127.0.0.1]:{Port}", Convert.FromBase64String(KeyKit.PublicKeyLine(host).Split(' ')[1]));
            HostKeys.Add($"[127.0.0.1]:{Sha1OnlyPort}", Convert.FromBase64String(KeyKit.PublicKeyLine(host).Split(' ')[1]));
        }

        /// <summary>The throwaway sshd's own host key, so its clients verify it as every client does.</summary>
        public KnownHosts HostKeys { get; } = new();

        public KeyKit Kit { get; } = new();

        public int Port { get; }

        /// <summary>The same server, accepting only <c>ssh-rsa</c> signatures for public keys.</summary>
        public int Sha1OnlyPort { get; }

        public string LogFile { get; } = "";

        public string EncryptedEd25519 { get; } = "";

        public string AgentRsa { get; } = "";

        public string AgentEcdsa { get; } = "";

        public string CertifiedEd25519 { get; } = "";

        public string CertifiedRsa { get; } = "";

        public IReadOnlyList<string> Unauthorized { get; } = [];

        public void Require()
        {
            if (_skipReason is null)
            {
                return;
            }

            Unavailable.SkipOrFail($"The throwaway sshd cannot run here: {_skipReason}.");
        }

        internal SshJumpClient Client(KeyEnvironment keys, string[]? keyFilenames = null, string? passphrase = null, string? password = null, SshJumpClient? jump = null, int? port = null, string? pubkeyAcceptedAlgorithms = null) =>
            new(
                new HopSettings("127.0.0.1")
                {
                    Port = port ?? Port,
                    PubkeyAcceptedAlgorithms = pubkeyAcceptedAlgorithms,
                    Username = "root",
                    Password = password,
                    Passphrase = passphrase,
                    KeyFilenames = keyFilenames ?? [],
                    KeyEnvironment = keys,
                    ConnectTimeout = TimeSpan.FromSeconds(10),
                    AuthTimeout = TimeSpan.FromSeconds(20),
                    KnownHosts = HostKeys,
                },
                jump);

        public long LogMark() => File.Exists(LogFile) ? new FileInfo(LogFile).Length : 0;

        /// <summary>What sshd logs (VERBOSE) when a connection ends, whoever ended it.</summary>
        public static readonly string[] ConnectionEnded = ["Connection closed by", "Disconnected from", "Disconnecting"];

        /// <summary>What sshd logged after <paramref name="mark"/>, read once it has logged any of <paramref name="until"/>.</summary>
        public string LogSince(long mark, params string[] until)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (true)
            {
                using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                stream.Seek(mark, SeekOrigin.Begin);
                var log = new StreamReader(stream).ReadToEnd();
                if (until.Any(marker => log.Contains(marker, StringComparison.Ordinal)))
                {
                    return log;
                }

                Assert.True(DateTime.UtcNow < deadline, $"sshd logged none of [{string.Join(", ", until)}] in 15 s; it logged:\n{log}");
                Thread.Sleep(20);
            }
        }

        public void Dispose()
        {
            if (_sshd is { HasExited: false })
            {
                _sshd.Kill();
                _sshd.WaitForExit(5000);
            }

            _sshd?.Dispose();
            Kit.Dispose();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private void WaitUntilListening()
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    probe.Connect(IPAddress.Loopback, Port);
                    return;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !_sshd!.HasExited)
                {
                    Thread.Sleep(20);
                }
            }
        }
    }
}
