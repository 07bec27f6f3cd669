using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ParamikoJump.Configuration;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys;
using ParamikoJump.Tests.Keys;

namespace ParamikoJump.Tests.HostKeys;

/// <summary>
/// Host-key decisions against real OpenSSH servers on 127.0.0.1, side by side with OpenSSH's own client: one server
/// offers only an ECDSA host key, the other both ed25519 and ECDSA. Started as root, killed afterwards; skipped where
/// there is no root or no sshd (never in CI).
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class RealSshdHostKeyTests(RealSshdHostKeyTests.Servers servers) : IClassFixture<RealSshdHostKeyTests.Servers>
{
    private const int TestTimeout = 60_000;

    public enum Policy
    {
        AutoAdd,
        Warning,
        SshConfigAcceptNew,
        SshConfigNo,
    }

    [Theory(Timeout = TestTimeout)]
    [InlineData(Policy.AutoAdd)]
    [InlineData(Policy.Warning)]
    [InlineData(Policy.SshConfigAcceptNew)]
    [InlineData(Policy.SshConfigNo)]
    public async Task A_server_offering_another_key_type_than_the_one_on_file_is_refused_as_changed_and_nothing_is_written(Policy policy)
    {
        servers.Require();
        var file = servers.KnownHostsFile($"[127.0.0.1]:{servers.EcdsaOnly.Port} {servers.StrangerEd25519}");
        var before = File.ReadAllText(file);
        using var client = policy switch
        {
            Policy.AutoAdd => new SshJumpClient(servers.Settings(servers.EcdsaOnly, file, new AutoAddPolicy())),
            Policy.Warning => new SshJumpClient(servers.Settings(servers.EcdsaOnly, file, new WarningPolicy())),
            Policy.SshConfigAcceptNew => servers.FromSshConfig(servers.EcdsaOnly, file, "accept-new"),
            _ => servers.FromSshConfig(servers.EcdsaOnly, file, "no"),
        };

        var error = await Assert.ThrowsAsync<HostKeyMismatchException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal("ecdsa-sha2-nistp256", error.KeyType);
        Assert.Equal(SshKeyBlob.Fingerprint(Convert.FromBase64String(servers.StrangerEd25519.Split(' ')[1])), error.ExpectedFingerprint);
        Assert.Contains("expects its ssh-ed25519 key", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(file));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task OpenSSH_with_accept_new_refuses_the_same_server_and_writes_nothing()
    {
        servers.Require();
        var file = servers.KnownHostsFile($"[127.0.0.1]:{servers.EcdsaOnly.Port} {servers.StrangerEd25519}");
        var before = File.ReadAllText(file);

        var (exitCode, stderr) = await servers.Ssh(servers.EcdsaOnly, file, "accept-new", TestContext.Current.CancellationToken);

        Assert.Equal(255, exitCode);
        Assert.Contains("REMOTE HOST IDENTIFICATION HAS CHANGED", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(file));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_server_with_several_key_types_presents_the_one_on_file_and_connects()
    {
        // SSH.NET offers ed25519 first: unordered, this server would present its ed25519 key and look CHANGED.
        servers.Require();
        var file = servers.KnownHostsFile($"[127.0.0.1]:{servers.Both.Port} {servers.Both.EcdsaLine}");
        using var client = new SshJumpClient(servers.Settings(servers.Both, file, new RejectPolicy()));

        await client.ConnectAsync(TestContext.Current.CancellationToken);

        Assert.Equal("ecdsa-sha2-nistp256", client.ConnectionInfo.CurrentHostKeyAlgorithm);
        Assert.StartsWith("ssh-ed25519", new Renci.SshNet.ConnectionInfo("x", "y", new Renci.SshNet.NoneAuthenticationMethod("y")).HostKeyAlgorithms.Keys.First(), StringComparison.Ordinal);
        Assert.Equal("ok", client.RunCommand("echo ok").Result.Trim());
        var (exitCode, _) = await servers.Ssh(servers.Both, file, "yes", TestContext.Current.CancellationToken);
        Assert.Equal(0, exitCode);
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_HostKeyAlias_is_the_name_looked_up_and_the_name_AutoAdd_writes()
    {
        servers.Require();
        var known = servers.KnownHostsFile($"lab-both {servers.Both.Ed25519Line}");
        var settings = servers.Settings(servers.Both, known, new RejectPolicy());
        settings.HostKeyAlias = "lab-both";
        using (var client = new SshJumpClient(settings))
        {
            await client.ConnectAsync(TestContext.Current.CancellationToken);
            Assert.True(client.IsConnected);
        }

        using (var unaliased = new SshJumpClient(servers.Settings(servers.Both, known, new RejectPolicy())))
        {
            await Assert.ThrowsAsync<HostKeyRejectedException>(() => unaliased.ConnectAsync(TestContext.Current.CancellationToken));
        }

        var empty = servers.KnownHostsFile();
        var adding = servers.Settings(servers.EcdsaOnly, empty, new AutoAddPolicy());
        adding.HostKeyAlias = "lab-ecdsa";
        using (var client = new SshJumpClient(adding))
        {
            await client.ConnectAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal([$"lab-ecdsa {servers.EcdsaOnly.EcdsaLine}"], File.ReadAllLines(empty).Select(l => string.Join(' ', l.Split(' ').Take(3))));
        Assert.Equal([(1, "")], SshKeygen.Find("lab-ecdsa", empty));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task AutoAdd_writes_nothing_when_a_users_own_HostKeyReceived_handler_refuses_the_key()
    {
        servers.Require();
        var file = Path.Combine(servers.Kit.PathOf("veto-" + Guid.NewGuid().ToString("N")), "known_hosts");
        using var client = new SshJumpClient(servers.Settings(servers.EcdsaOnly, file, new AutoAddPolicy()));
        var asked = 0;
        client.HostKeyReceived += (_, e) =>
        {
            asked++;
            e.CanTrust = false;
        };

        var error = await Assert.ThrowsAsync<HostKeyRejectedException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(1, asked);
        Assert.Equal(HopStage.HostKeyVerification, error.Stage);
        Assert.Contains("was refused by a HostKeyReceived handler of the application; ParamikoJump's own check passed it", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        Assert.Empty(client.HostKeys.Lookup("127.0.0.1", servers.EcdsaOnly.Port));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_users_HostKeyReceived_handler_cannot_trust_a_key_ParamikoJump_refused()
    {
        servers.Require();
        var file = servers.KnownHostsFile($"[127.0.0.1]:{servers.EcdsaOnly.Port} {servers.StrangerEd25519}");
        using var client = new SshJumpClient(servers.Settings(servers.EcdsaOnly, file, new AutoAddPolicy()));
        var sawRefusal = false;
        client.HostKeyReceived += (_, e) =>
        {
            sawRefusal = !e.CanTrust;
            e.CanTrust = true;
        };

        var error = await Assert.ThrowsAsync<HostKeyMismatchException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.True(sawRefusal);
        Assert.False(client.IsConnected);
        Assert.Equal(HopStage.HostKeyVerification, error.Stage);
        Assert.Single(File.ReadAllLines(file));
    }

    [Fact(Timeout = TestTimeout)]
    public async Task AutoAdd_creates_the_folder_0700_and_the_file_0600_once_every_handler_accepted()
    {
        servers.Require();
        var folder = servers.Kit.PathOf("home-" + Guid.NewGuid().ToString("N") + "/.ssh");
        var file = Path.Combine(folder, "known_hosts");
        using var client = new SshJumpClient(servers.Settings(servers.EcdsaOnly, file, new AutoAddPolicy()));
        var existedWhileAsked = true;
        client.HostKeyReceived += (_, _) => existedWhileAsked = File.Exists(file);

        await client.ConnectAsync(TestContext.Current.CancellationToken);

        Assert.False(existedWhileAsked);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal([(1, "")], SshKeygen.Find($"[127.0.0.1]:{servers.EcdsaOnly.Port}", file));
    }

    /// <summary>Two throwaway sshd: one with only an ECDSA host key, one with ed25519 and ECDSA.</summary>
    public sealed class Servers : IDisposable
    {
        private readonly string? _skipReason;

        public Servers()
        {
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/sbin/sshd"))
            {
                _skipReason = "needs Linux, root and /usr/sbin/sshd (openssh-server)";
                return;
            }

            LoginKey = Kit.Generate("login_ed25519", "ed25519");
            File.WriteAllText(Kit.PathOf("authorized_keys"), KeyKit.PublicKeyLine(LoginKey) + "\n");
            StrangerEd25519 = Line(Kit.Generate("stranger_ed25519", "ed25519"));
            EcdsaOnly = Sshd.Start(Kit, "ecdsa-only", withEd25519: false);
            Both = Sshd.Start(Kit, "both", withEd25519: true);
        }

        public KeyKit Kit { get; } = new();

        public string LoginKey { get; } = "";

        /// <summary>An ed25519 key neither server has, as "type base64".</summary>
        public string StrangerEd25519 { get; } = "";

        public Sshd EcdsaOnly { get; } = null!;

        public Sshd Both { get; } = null!;

        public void Require()
        {
            if (_skipReason is null)
            {
                return;
            }

            Unavailable.SkipOrFail($"The throwaway sshd cannot run here: {_skipReason}.");
        }

        /// <summary>A known_hosts file of its own holding <paramref name="lines"/>.</summary>
        public string KnownHostsFile(params string[] lines)
        {
            var file = Kit.PathOf("known_hosts-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(file, string.Concat(lines.Select(l => l + "\n")));
            return file;
        }

        internal HopSettings Settings(Sshd server, string knownHostsFile, IMissingHostKeyPolicy policy)
        {
            var store = new KnownHosts();
            store.LoadHostKeys(knownHostsFile);
            return new HopSettings("127.0.0.1")
            {
                Port = server.Port,
                Username = "root",
                KeyFilenames = [LoginKey],
                KeyEnvironment = new KeyEnvironment(null, null),
                ConnectTimeout = TimeSpan.FromSeconds(10),
                KnownHosts = store,
                HostKeyPolicy = policy,
            };
        }

        /// <summary>A client built from an ssh_config that ssh itself reads in <see cref="Ssh"/>.</summary>
        internal SshJumpClient FromSshConfig(Sshd server, string knownHostsFile, string strictHostKeyChecking)
        {
            var settings = SshConfig.Load(Config(server, knownHostsFile, strictHostKeyChecking)).Resolve("lab").ToHopSettings();
            settings.KeyEnvironment = new KeyEnvironment(null, null);
            return new SshJumpClient(settings);
        }

        /// <summary>OpenSSH's client on the same configuration: its exit code and what it printed.</summary>
        public async Task<(int ExitCode, string Stderr)> Ssh(Sshd server, string knownHostsFile, string strictHostKeyChecking, CancellationToken cancellationToken)
        {
            var start = new ProcessStartInfo("ssh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            foreach (var arg in new[] { "-F", Config(server, knownHostsFile, strictHostKeyChecking), "-o", "BatchMode=yes", "lab", "true" })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return (process.ExitCode, await stderr);
        }

        public void Dispose()
        {
            EcdsaOnly?.Dispose();
            Both?.Dispose();
            Kit.Dispose();
        }

        private static string Line(string keyPath) => string.Join(' ', KeyKit.PublicKeyLine(keyPath).Split(' ').Take(2));

        private string Config(Sshd server, string knownHostsFile, string strictHostKeyChecking)
        {
            var path = Kit.PathOf("ssh_config-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(path, $"""
                Host lab
                  HostName 127.0.0.1
                  Port {server.Port}
                  User root
                  IdentityFile {LoginKey}
                  IdentitiesOnly yes
                  StrictHostKeyChecking {strictHostKeyChecking}
                  UserKnownHostsFile {knownHostsFile}
                  GlobalKnownHostsFile /dev/null

                """);
            return path;
        }
    }

    /// <summary>One sshd on 127.0.0.1 with its own host keys, killed on dispose.</summary>
    public sealed class Sshd : IDisposable
    {
        private readonly Process _process;

        private Sshd(Process process, int port, string ecdsaLine, string ed25519Line)
        {
            _process = process;
            Port = port;
            EcdsaLine = ecdsaLine;
            Ed25519Line = ed25519Line;
        }

        public int Port { get; }

        /// <summary>Its ECDSA host key as "type base64".</summary>
        public string EcdsaLine { get; }

        /// <summary>Its ed25519 host key as "type base64", or empty.</summary>
        public string Ed25519Line { get; }

        internal static Sshd Start(KeyKit kit, string name, bool withEd25519)
        {
            var ecdsa = kit.Generate($"{name}_host_ecdsa", "ecdsa");
            var ed25519 = withEd25519 ? kit.Generate($"{name}_host_ed25519", "ed25519") : null;
            var port = FreePort();
            var config = kit.PathOf($"{name}_sshd_config");
            var lines = new List<string>
            {
                $"Port {port}",
                "ListenAddress 127.0.0.1",
                $"HostKey {ecdsa}",
                $"PidFile {kit.PathOf($"{name}_sshd.pid")}",
                $"AuthorizedKeysFile {kit.PathOf("authorized_keys")}",
                "PermitRootLogin yes",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
            };
            if (ed25519 is not null)
            {
                lines.Add($"HostKey {ed25519}");
            }

            File.WriteAllLines(config, lines);
            Directory.CreateDirectory("/run/sshd");
            var start = new ProcessStartInfo("/usr/sbin/sshd") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "-D", "-f", config, "-E", kit.PathOf($"{name}_sshd.log") })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start)!;
            WaitUntilListening(process, port);
            return new Sshd(process, port, KeyLine(ecdsa), ed25519 is null ? "" : KeyLine(ed25519));
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }

            _process.Dispose();
        }

        private static string KeyLine(string keyPath) => string.Join(' ', KeyKit.PublicKeyLine(keyPath).Split(' ').Take(2));

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private static void WaitUntilListening(Process process, int port)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                try
                {
                    using var probe = new TcpClient();
                    probe.Connect(IPAddress.Loopback, port);
                    return;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
                {
                    Thread.Sleep(20);
                }
            }
        }
    }
}
