using ParamikoJump.Keys;
using ParamikoJump.Hops;
using Renci.SshNet;
using static ParamikoJump.Tests.Keys.KeyTestHops;

namespace ParamikoJump.Tests.Keys;

public sealed class KeyFileTests(KeyFileTests.Keys keys) : IClassFixture<KeyFileTests.Keys>
{
    [Fact]
    public void Default_identity_files_are_tried_in_OpenSSH_order()
    {
        var home = HomeWith(("id_ed25519", keys.Ed25519Plain), ("id_rsa", keys.RsaPlain), ("id_ecdsa", keys.EcdsaPlain));

        var setup = Setup(new KeyEnvironment(home, null), allowAgent: false);

        Assert.Equal(["id_rsa", "id_ecdsa", "id_ed25519"], Sources(setup).Select(Path.GetFileName));
    }

    [Fact]
    public void Default_files_are_not_read_when_lookForKeys_is_false()
    {
        var home = HomeWith(("id_ed25519", keys.Ed25519Plain));

        var setup = Setup(new KeyEnvironment(home, null), password: "pw", lookForKeys: false, allowAgent: false);

        Assert.Empty(setup.Keys.Resolve());
        Assert.DoesNotContain(setup.DialInfo.AuthenticationMethods, m => m.Name == "publickey");
    }

    [Fact]
    public void A_certificate_next_to_a_key_is_offered_before_the_key()
    {
        var home = HomeWith(("id_ed25519", keys.Ed25519Certified));

        var setup = Setup(new KeyEnvironment(home, null), allowAgent: false);

        Assert.Equal(["ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519"], Algorithms(setup));
    }

    [Fact]
    public void An_RSA_key_is_offered_once_with_SHA2_512_not_once_per_algorithm()
    {
        var setup = Setup(NoKeys, keyFilenames: [keys.RsaPlain], allowAgent: false);

        Assert.Equal(["rsa-sha2-512"], Algorithms(setup));
    }

    [Fact]
    public void In_memory_keys_are_accepted_and_come_first()
    {
        var inMemory = new PrivateKeyFile(keys.EcdsaPlain);

        var setup = Setup(NoKeys, keyFilenames: [keys.Ed25519Plain], keys: [inMemory], allowAgent: false);

        Assert.Equal(["key #1", keys.Ed25519Plain], Sources(setup));
    }

    /// <summary>Every key type, and the formats other than OpenSSH's own that ssh-keygen writes encrypted.</summary>
    public static TheoryData<string, string?> EncryptedFormats { get; } = new()
    {
        { "ed25519", null },
        { "ecdsa", null },
        { "rsa", null },
        { "rsa", "PEM" },
        { "ecdsa", "PKCS8" },
    };

    [Theory]
    [MemberData(nameof(EncryptedFormats))]
    public void The_passphrase_decrypts_an_encrypted_key(string type, string? format)
    {
        var path = keys.Encrypted(type, format);

        var setup = Setup(NoKeys, passphrase: Passphrase, keyFilenames: [path], allowAgent: false);

        Assert.Equal([path], Sources(setup));
    }

    [Fact]
    public void The_password_decrypts_keys_when_no_passphrase_is_given_as_in_paramiko()
    {
        var path = keys.Encrypted("ed25519", null);

        var setup = Setup(NoKeys, password: Passphrase, keyFilenames: [path], allowAgent: false);

        Assert.Equal([path], Sources(setup));
    }

    [Theory]
    [MemberData(nameof(EncryptedFormats))]
    public void A_wrong_passphrase_is_a_typed_error_naming_the_file_and_not_the_passphrase(string type, string? format)
    {
        var path = keys.Encrypted(type, format);

        var error = Assert.Throws<HopKeyException>(() => Setup(NoKeys, passphrase: "wr0ng-guess-phrase", keyFilenames: [path], allowAgent: false));

        Assert.Equal(HopStage.Setup, error.Stage);
        Assert.Equal(path, error.KeySource);
        Assert.Contains($"'{path}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("the passphrase did not decrypt it", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wr0ng-guess-phrase", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_encrypted_key_file_without_any_passphrase_says_one_is_needed()
    {
        var path = keys.Encrypted("ecdsa", null);

        var error = Assert.Throws<HopKeyException>(() => Setup(NoKeys, keyFilenames: [path], allowAgent: false));

        Assert.Contains("encrypted and no passphrase was given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_key_file_is_a_typed_error()
    {
        var path = keys.Kit.PathOf("no-such-key");

        var error = Assert.Throws<HopKeyException>(() => Setup(NoKeys, keyFilenames: [path], allowAgent: false));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_key_file_brings_its_certificate()
    {
        var setup = Setup(NoKeys, keyFilenames: [keys.Ed25519Certified], allowAgent: false);

        Assert.Equal(["ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519"], Algorithms(setup));
    }

    [Fact]
    public void A_default_key_that_cannot_be_decrypted_is_skipped_with_a_log_line_and_the_others_are_used()
    {
        var home = HomeWith(("id_rsa", keys.Encrypted("rsa", null)), ("id_ed25519", keys.Ed25519Plain));
        var log = new ListLogger();

        var setup = Setup(new KeyEnvironment(home, null), password: "not-the-passphrase", allowAgent: false, log: log);

        Assert.Equal(["id_ed25519"], Sources(setup).Select(Path.GetFileName));
        Assert.Contains(log.Lines, l => l.Contains("skipping key", StringComparison.Ordinal) && l.Contains("id_rsa", StringComparison.Ordinal) && l.Contains("did not decrypt", StringComparison.Ordinal));
        Assert.DoesNotContain("not-the-passphrase", log.All, StringComparison.Ordinal);
    }

    [Fact]
    public void When_the_only_way_in_is_a_default_key_that_cannot_be_decrypted_the_error_names_it()
    {
        var home = HomeWith(("id_ed25519", keys.Encrypted("ed25519", null)));

        var error = Assert.Throws<HopKeyException>(() => Setup(new KeyEnvironment(home, null), allowAgent: false));

        Assert.Equal(HopStage.Setup, error.Stage);
        Assert.EndsWith(Path.Combine(".ssh", "id_ed25519"), error.KeySource, StringComparison.Ordinal);
        Assert.Contains("no passphrase was given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Log_lines_name_keys_by_fingerprint_never_by_material()
    {
        var log = new ListLogger();

        Setup(NoKeys, keyFilenames: [keys.Ed25519Plain], allowAgent: false, log: log).Keys.Resolve();

        var line = Assert.Single(log.Lines, l => l.Contains("offering", StringComparison.Ordinal));
        Assert.Contains("SHA256:", line, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", log.All, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_certificate_of_an_explicit_key_is_an_error_naming_the_certificate()
    {
        var path = keys.Kit.PathOf("bad-cert-explicit");
        File.Copy(keys.Ed25519Plain, path, overwrite: true);
        File.WriteAllText(path + "-cert.pub", "ssh-ed25519-cert-v01@openssh.com AAAAnotacertificate= broken\n");

        var error = Assert.Throws<HopKeyException>(() => Setup(NoKeys, keyFilenames: [path], allowAgent: false));

        Assert.Equal(path + "-cert.pub", error.KeySource);
        Assert.Contains("certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_certificate_of_a_default_key_is_logged_and_the_key_offered_alone()
    {
        var home = HomeWith(("id_ed25519", keys.Ed25519Plain));
        File.WriteAllText(Path.Combine(home, ".ssh", "id_ed25519-cert.pub"), "ssh-ed25519-cert-v01@openssh.com AAAAnotacertificate= broken\n");
        var log = new ListLogger();

        var setup = Setup(new KeyEnvironment(home, null), allowAgent: false, log: log);

        Assert.Equal(["ssh-ed25519"], Algorithms(setup));
        Assert.Contains(log.Lines, l => l.Contains("id_ed25519-cert.pub", StringComparison.Ordinal) && l.Contains("offering the key alone", StringComparison.Ordinal));
    }

    [Fact]
    public void MaxAuthTries_is_six_by_default_settable_per_client_and_at_least_one()
    {
        using var client = new SshJumpClient(hostname: "db.internal", username: "admin", password: "pw");
        using var other = new SshJumpClient(hostname: "db.internal", username: "admin", password: "pw");

        client.MaxAuthTries = 3;

        Assert.Equal(3, client.MaxAuthTries);
        Assert.Equal(6, other.MaxAuthTries);
        Assert.Throws<ArgumentOutOfRangeException>(() => client.MaxAuthTries = 0);
    }

    private string HomeWith(params (string Name, string Source)[] files)
    {
        var home = keys.Kit.PathOf("home-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(home, ".ssh"));
        foreach (var (name, source) in files)
        {
            foreach (var suffix in new[] { "", ".pub", "-cert.pub" })
            {
                if (File.Exists(source + suffix))
                {
                    File.Copy(source + suffix, Path.Combine(home, ".ssh", name + suffix));
                }
            }
        }

        return home;
    }

    /// <summary>Keys made once for the class: ssh-keygen is quick but RSA is not free.</summary>
    public sealed class Keys : IDisposable
    {
        private readonly Dictionary<string, string> _encrypted = [];

        public Keys()
        {
            Ed25519Plain = Kit.Generate("plain_ed25519", "ed25519");
            EcdsaPlain = Kit.Generate("plain_ecdsa", "ecdsa");
            RsaPlain = Kit.Generate("plain_rsa", "rsa");
            var ca = Kit.Generate("ca", "ed25519");
            Ed25519Certified = Kit.Generate("certified_ed25519", "ed25519");
            KeyKit.Certify(Ed25519Certified, ca, "admin");
            foreach (var (type, format) in EncryptedFormats.Select(row => row.Data))
            {
                _encrypted[$"{type}-{format}"] = Kit.Generate($"encrypted_{type}_{format ?? "openssh"}", type, Passphrase, format);
            }
        }

        public KeyKit Kit { get; } = new();

        public string Ed25519Plain { get; }

        public string EcdsaPlain { get; }

        public string RsaPlain { get; }

        public string Ed25519Certified { get; }

        public string Encrypted(string type, string? format) => _encrypted[$"{type}-{format}"];

        public void Dispose() => Kit.Dispose();
    }
}
