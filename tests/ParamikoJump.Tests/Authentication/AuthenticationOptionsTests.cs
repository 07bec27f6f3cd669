using System.Runtime.Versioning;
using ParamikoJump.Authentication;
using ParamikoJump.Hops;
using ParamikoJump.Keys;
using ParamikoJump.Tests.Keys;
using Renci.SshNet;

namespace ParamikoJump.Tests.Authentication;

/// <summary>
/// The ssh_config switches on <see cref="HopSettings"/>: PreferredAuthentications, PubkeyAuthentication,
/// PasswordAuthentication, KbdInteractiveAuthentication, IdentitiesOnly and CertificateFile, as the hop's
/// authentication methods and key offers show them.
/// </summary>
public sealed class AuthenticationOptionsTests(AuthenticationOptionsTests.Keys keys) : IClassFixture<AuthenticationOptionsTests.Keys>
{
    [Fact]
    public void By_default_keys_then_password_then_keyboard_interactive_are_tried()
    {
        var plan = Plan(new HopSettings("db") { KeyFilenames = [keys.Ed25519], Password = "pw", AuthHandler = new MagicAuthHandler() });

        Assert.Equal(["publickey", "password", "keyboard-interactive"], MethodNames(plan));
    }

    [Fact]
    public void PreferredAuthentications_orders_the_methods_and_leaves_out_the_others()
    {
        var plan = Plan(new HopSettings("db")
        {
            KeyFilenames = [keys.Ed25519],
            Password = "pw",
            AuthHandler = new MagicAuthHandler(),
            PreferredAuthentications = ["gssapi-with-mic", "keyboard-interactive", "publickey"],
        });

        Assert.Equal(["keyboard-interactive", "publickey"], MethodNames(plan));
    }

    [Theory]
    [InlineData(false, true, true, new[] { "password", "keyboard-interactive" })]
    [InlineData(true, false, true, new[] { "publickey", "keyboard-interactive" })]
    [InlineData(true, true, false, new[] { "publickey", "password" })]
    public void Each_method_can_be_switched_off(bool pubkey, bool password, bool interactive, string[] expected)
    {
        var plan = Plan(new HopSettings("db")
        {
            KeyFilenames = [keys.Ed25519],
            Password = "pw",
            AuthHandler = new MagicAuthHandler(),
            PubkeyAuthentication = pubkey,
            PasswordAuthentication = password,
            KbdInteractiveAuthentication = interactive,
        });

        Assert.Equal(expected, MethodNames(plan));
    }

    [Fact]
    public void With_public_keys_switched_off_key_files_are_not_even_read()
    {
        var plan = Plan(new HopSettings("db") { KeyFilenames = [keys.Kit.PathOf("no-such-key")], Password = "pw", PubkeyAuthentication = false });

        Assert.Equal(["password", "keyboard-interactive"], MethodNames(plan));
    }

    [Fact]
    public void When_the_switches_leave_nothing_to_try_the_error_says_which_were_switched_off()
    {
        var error = Assert.Throws<ArgumentException>(() => Plan(new HopSettings("db")
        {
            Password = "pw",
            PreferredAuthentications = ["publickey", "hostbased"],
        }));

        Assert.Contains("PreferredAuthentications is 'publickey,hostbased'", error.Message, StringComparison.Ordinal);
        Assert.Contains("password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_method_names_and_paths_are_refused_naming_the_setting()
    {
        Assert.Equal("PreferredAuthentications", Assert.Throws<ArgumentException>(() => Plan(new HopSettings("db") { Password = "pw", PreferredAuthentications = ["password", " "] })).ParamName);
        Assert.Equal("CertificateFiles", Assert.Throws<ArgumentException>(() => Plan(new HopSettings("db") { Password = "pw", CertificateFiles = [""] })).ParamName);
    }

    [Fact]
    public void A_certificate_file_is_offered_with_the_key_it_certifies_before_the_key()
    {
        var plan = Plan(new HopSettings("db") { KeyFilenames = [keys.Ed25519, keys.Rsa], CertificateFiles = [keys.CertificateOfEd25519Elsewhere] });

        var offers = plan.Keys.Resolve();

        Assert.Equal(["ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519", "rsa-sha2-512"], offers.Select(o => o.Algorithm.Name));
        Assert.Equal(keys.CertificateOfEd25519Elsewhere, offers[0].Source);
    }

    [Fact]
    public void A_certificate_file_also_pairs_with_a_default_key()
    {
        var home = keys.Kit.PathOf("home-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(home, ".ssh"));
        File.Copy(keys.Ed25519, Path.Combine(home, ".ssh", "id_ed25519"));

        var plan = Plan(new HopSettings("db") { CertificateFiles = [keys.CertificateOfEd25519Elsewhere], AllowAgent = false }, new KeyEnvironment(home, null));

        Assert.Equal(["ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519"], plan.Keys.Resolve().Select(o => o.Algorithm.Name));
    }

    [Fact]
    public void A_certificate_file_that_certifies_no_key_is_logged_and_skipped()
    {
        var log = new ListLogger();

        var plan = Plan(new HopSettings("db") { KeyFilenames = [keys.Rsa], CertificateFiles = [keys.CertificateOfEd25519Elsewhere], LoggerFactory = log });

        Assert.Equal(["rsa-sha2-512"], plan.Keys.Resolve().Select(o => o.Algorithm.Name));
        Assert.Contains(log.Lines, l => l.Contains(keys.CertificateOfEd25519Elsewhere, StringComparison.Ordinal) && l.Contains("certifies none", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_certificate_file_is_a_typed_error_naming_it()
    {
        var missing = keys.Kit.PathOf("no-such-cert.pub");

        var error = Assert.Throws<HopKeyException>(() => Plan(new HopSettings("db") { KeyFilenames = [keys.Ed25519], CertificateFiles = [missing] }));

        Assert.Equal(missing, error.KeySource);
        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Without_IdentitiesOnly_every_agent_key_is_offered()
    {
        using var agent = AgentWith(keys.Ed25519, keys.Ecdsa);

        var plan = Plan(new HopSettings("db") { KeyFilenames = [keys.Rsa] }, new KeyEnvironment(null, agent.Socket));

        Assert.Equal(3, plan.Keys.Resolve().Count);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void With_IdentitiesOnly_agent_keys_are_offered_only_when_they_are_the_hops_own()
    {
        using var agent = AgentWith(keys.Ed25519, keys.Ecdsa);
        var log = new ListLogger();

        var plan = Plan(new HopSettings("db") { KeyFilenames = [keys.Rsa], IdentitiesOnly = true, LoggerFactory = log }, new KeyEnvironment(null, agent.Socket));

        Assert.Equal(["rsa-sha2-512"], plan.Keys.Resolve().Select(o => o.Algorithm.Name));
        Assert.Contains(log.Lines, l => l.Contains("IdentitiesOnly", StringComparison.Ordinal) && l.Contains("2 key(s)", StringComparison.Ordinal));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void With_IdentitiesOnly_an_agent_key_that_is_also_a_key_file_is_still_offered()
    {
        using var agent = AgentWith(keys.Ed25519, keys.Ecdsa);

        var plan = Plan(new HopSettings("db") { KeyFilenames = [keys.Ed25519], IdentitiesOnly = true, PreferredAuthentications = ["publickey"] }, new KeyEnvironment(null, agent.Socket));

        var offer = Assert.Single(plan.Keys.Resolve());
        Assert.Equal("ssh-ed25519", offer.Algorithm.Name);
    }

    private static HopPlan Plan(HopSettings settings, KeyEnvironment? environment = null)
    {
        settings.Username = "admin";
        settings.KeyEnvironment = environment ?? KeyTestHops.NoKeys;
        return HopPlan.FromSettings(settings, jump: null);
    }

    private static string[] MethodNames(HopPlan plan) => plan.DialInfo.AuthenticationMethods.Select(m => m.Name).ToArray();

    [UnsupportedOSPlatform("windows")]
    private TestAgent AgentWith(params string[] paths)
    {
        var agent = new TestAgent(keys.Kit);
        foreach (var path in paths)
        {
            agent.Add(path);
        }

        return agent;
    }

    /// <summary>Keys made once for the class, and a certificate kept apart from its key (ssh's CertificateFile).</summary>
    public sealed class Keys : IDisposable
    {
        public Keys()
        {
            Ed25519 = Kit.Generate("opt_ed25519", "ed25519");
            Ecdsa = Kit.Generate("opt_ecdsa", "ecdsa");
            Rsa = Kit.Generate("opt_rsa", "rsa");
            var ca = Kit.Generate("opt_ca", "ed25519");
            var certificate = KeyKit.Certify(Ed25519, ca, "admin");
            CertificateOfEd25519Elsewhere = Kit.PathOf("certs/ed25519-cert.pub");
            Directory.CreateDirectory(Path.GetDirectoryName(CertificateOfEd25519Elsewhere)!);
            File.Move(certificate, CertificateOfEd25519Elsewhere);
        }

        public KeyKit Kit { get; } = new();

        public string Ed25519 { get; }

        public string Ecdsa { get; }

        public string Rsa { get; }

        public string CertificateOfEd25519Elsewhere { get; }

        public void Dispose() => Kit.Dispose();
    }
}
