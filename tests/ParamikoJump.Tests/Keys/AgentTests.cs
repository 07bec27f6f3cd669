using System.Runtime.Versioning;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys;
using ParamikoJump.Keys.Agent;
using Renci.SshNet;
using static ParamikoJump.Tests.Keys.KeyTestHops;

namespace ParamikoJump.Tests.Keys;

/// <summary>Our agent client against Debian's real ssh-agent and ssh-add, each test with a private agent.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class AgentTests(AgentTests.Keys keys) : IClassFixture<AgentTests.Keys>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] Data = "session id and request, as SSH.NET signs them"u8.ToArray();

    [Fact]
    public void Lists_every_key_type_with_its_comment()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Ed25519);
        agent.Add(keys.Ecdsa);
        agent.Add(keys.Rsa);

        var identities = new AgentClient(agent.Socket, Timeout).ListIdentities();

        Assert.Equal(["ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"], identities.Select(i => i.KeyType));
        Assert.Equal(["agent_ed25519", "agent_ecdsa", "agent_rsa"], identities.Select(i => i.Comment));
    }

    [Theory]
    [InlineData("ed25519", "ssh-ed25519")]
    [InlineData("ecdsa", "ecdsa-sha2-nistp256")]
    [InlineData("rsa", "rsa-sha2-512")]
    public void Agent_signatures_verify_with_the_algorithm_offered(string type, string algorithm)
    {
        using var agent = new TestAgent(keys.Kit);
        var path = keys.Path(type);
        agent.Add(path);
        var identity = Assert.Single(new AgentClient(agent.Socket, Timeout).ListIdentities());

        var signer = AgentSigningAlgorithm.For(identity, new AgentClient(agent.Socket, Timeout), TestHops.Target);
        var signature = signer.Sign(Data);

        Assert.Equal(algorithm, signer.Name);
        Assert.Equal(algorithm, SshKeyBlob.TypeOf(signature));
        Assert.True(Verifier(path, algorithm).VerifySignature(Data, signature));
    }

    [Fact]
    public void RSA_signatures_follow_the_SHA2_flags()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Rsa);
        var client = new AgentClient(agent.Socket, Timeout);
        var blob = Assert.Single(client.ListIdentities()).Blob;

        Assert.Equal("rsa-sha2-256", SshKeyBlob.TypeOf(client.Sign(blob, Data, AgentClient.RsaSha2256)!));
        Assert.Equal("rsa-sha2-512", SshKeyBlob.TypeOf(client.Sign(blob, Data, AgentClient.RsaSha2512)!));
        Assert.Equal("ssh-rsa", SshKeyBlob.TypeOf(client.Sign(blob, Data, 0)!));
    }

    [Theory]
    [InlineData("ed25519", "ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519")]
    [InlineData("rsa", "rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-512")]
    public void Certificates_held_by_the_agent_are_offered_and_signed_for(string type, string offered, string signatureAlgorithm)
    {
        using var agent = new TestAgent(keys.Kit);
        var path = keys.Certified(type);
        agent.Add(path);

        var offers = Setup(new KeyEnvironment(null, agent.Socket), lookForKeys: false).Keys.Resolve();

        Assert.Contains(offers, offer => offer.Algorithm.Name == offered);
        var certificate = offers.First(offer => offer.Algorithm.Name == offered);
        var signature = certificate.Algorithm.Sign(Data);
        Assert.True(Verifier(path, signatureAlgorithm).VerifySignature(Data, signature));
    }

    [Fact]
    public void No_agent_socket_means_no_agent_keys_and_a_log_line()
    {
        var log = new ListLogger();

        var setup = Setup(new KeyEnvironment(null, keys.Kit.PathOf("no-agent-here.sock")), password: "pw", lookForKeys: false, log: log);

        Assert.Empty(setup.Keys.Resolve());
        Assert.Contains(log.Lines, l => l.Contains("no keys from the ssh-agent", StringComparison.Ordinal));
    }

    [Fact]
    public void A_dead_agent_is_skipped_quietly_with_a_log_line()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Ed25519);
        agent.Kill();
        var log = new ListLogger();

        var setup = Setup(new KeyEnvironment(null, agent.Socket), password: "pw", lookForKeys: false, log: log);

        Assert.Empty(setup.Keys.Resolve());
        Assert.Contains(log.Lines, l => l.Contains(agent.Socket, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_socket_that_is_not_an_agent_is_skipped_with_a_log_line()
    {
        var path = keys.Kit.PathOf("not-an-agent.sock");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        listener.Listen();
        var impostor = Task.Run(async () =>
        {
            using var peer = await listener.AcceptAsync(TestContext.Current.CancellationToken);
            await peer.SendAsync("SSH-2.0-not-an-agent\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        }, TestContext.Current.CancellationToken);
        var log = new ListLogger();

        var setup = Setup(new KeyEnvironment(null, path), password: "pw", lookForKeys: false, log: log);

        Assert.Empty(setup.Keys.Resolve());
        Assert.Contains(log.Lines, l => l.Contains("no keys from the ssh-agent", StringComparison.Ordinal) && l.Contains("bytes", StringComparison.Ordinal));
        await impostor;
    }

    [Fact]
    public void A_locked_agent_offers_nothing_and_says_so()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Ed25519);
        agent.Lock("lock-pass-123");
        var log = new ListLogger();

        var setup = Setup(new KeyEnvironment(null, agent.Socket), password: "pw", lookForKeys: false, log: log);

        Assert.Empty(setup.Keys.Resolve());
        Assert.Contains(log.Lines, l => l.Contains("holds no keys, or is locked", StringComparison.Ordinal));
    }

    [Fact]
    public void An_agent_that_refuses_to_sign_is_a_clear_error_naming_the_key()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Ed25519, confirm: true);
        var offer = Assert.Single(Setup(new KeyEnvironment(null, agent.Socket), lookForKeys: false).Keys.Resolve());

        var error = Assert.Throws<HopKeyException>(() => offer.Algorithm.Sign(Data));

        Assert.Equal(HopStage.Authentication, error.Stage);
        Assert.Contains("refused to sign", error.Message, StringComparison.Ordinal);
        Assert.Contains("'agent_ed25519'", error.KeySource, StringComparison.Ordinal);
        Assert.Contains("SHA256:", error.KeySource, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_keys_come_first_then_the_agent_then_default_files_each_key_once()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Ed25519);
        agent.Add(keys.Ecdsa);
        var home = keys.Kit.PathOf("home-order");
        Directory.CreateDirectory(Path.Combine(home, ".ssh"));
        File.Copy(keys.Ecdsa, Path.Combine(home, ".ssh", "id_ecdsa"), overwrite: true);
        File.Copy(keys.Rsa, Path.Combine(home, ".ssh", "id_rsa"), overwrite: true);

        var setup = Setup(new KeyEnvironment(home, agent.Socket), keyFilenames: [keys.Ed25519]);

        Assert.Equal([keys.Ed25519, "ssh-agent key 'agent_ecdsa'", Path.Combine(home, ".ssh", "id_rsa")], Sources(setup));
    }

    [Fact]
    public void Offers_stop_short_of_MaxAuthTries_so_password_and_keyboard_interactive_get_their_turn()
    {
        using var agent = new TestAgent(keys.Kit);
        foreach (var key in keys.Many)
        {
            agent.Add(key);
        }

        var log = new ListLogger();

        // A password brings password and keyboard-interactive (a lone password prompt): two tries kept of six.
        var setup = Setup(new KeyEnvironment(null, agent.Socket), password: "pw", lookForKeys: false, log: log);

        Assert.Equal(4, setup.Keys.Resolve().Count);
        Assert.Contains(log.Lines, l => l.Contains("offering 4 of 8 public keys to stay within MaxAuthTries 6", StringComparison.Ordinal));
    }

    [Fact]
    public void MaxAuthTries_is_a_setting_of_each_hop()
    {
        using var agent = new TestAgent(keys.Kit);
        foreach (var key in keys.Many)
        {
            agent.Add(key);
        }

        var environment = new KeyEnvironment(null, agent.Socket);
        var generous = Setup(environment, lookForKeys: false);
        var strict = Setup(environment, lookForKeys: false);

        generous.Keys.MaxAuthTries = 10;
        strict.Keys.MaxAuthTries = 2;

        Assert.Equal(8, generous.Keys.Resolve().Count);
        Assert.Equal(2, strict.Keys.Resolve().Count);
    }

    [Fact]
    public void The_agent_is_asked_at_login_so_keys_added_later_are_used()
    {
        using var agent = new TestAgent(keys.Kit);
        var setup = Setup(new KeyEnvironment(null, agent.Socket), lookForKeys: false);
        Assert.Empty(setup.Keys.Resolve());

        agent.Add(keys.Ed25519);

        Assert.Single(setup.Keys.Resolve());
    }

    private static Renci.SshNet.Security.HostAlgorithm Verifier(string path, string algorithm) =>
        new PrivateKeyFile(path).HostKeyAlgorithms.First(a => a.Name == algorithm);

    public sealed class Keys : IDisposable
    {
        public Keys()
        {
            Ed25519 = Kit.Generate("agent_ed25519", "ed25519");
            Ecdsa = Kit.Generate("agent_ecdsa", "ecdsa");
            Rsa = Kit.Generate("agent_rsa", "rsa");
            var ca = Kit.Generate("ca", "ed25519");
            CertifiedEd25519 = Kit.Generate("cert_ed25519", "ed25519");
            KeyKit.Certify(CertifiedEd25519, ca, "admin");
            CertifiedRsa = Kit.Generate("cert_rsa", "rsa");
            KeyKit.Certify(CertifiedRsa, ca, "admin");
            Many = Enumerable.Range(1, 8).Select(i => Kit.Generate($"many_{i}", "ed25519")).ToArray();
        }

        public KeyKit Kit { get; } = new();

        public string Ed25519 { get; }

        public string Ecdsa { get; }

        public string Rsa { get; }

        public string CertifiedEd25519 { get; }

        public string CertifiedRsa { get; }

        public IReadOnlyList<string> Many { get; }

        public string Path(string type) => type switch { "ed25519" => Ed25519, "ecdsa" => Ecdsa, _ => Rsa };

        public string Certified(string type) => type == "rsa" ? CertifiedRsa : CertifiedEd25519;

        public void Dispose() => Kit.Dispose();
    }
}
