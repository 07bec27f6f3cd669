using ParamikoJump.HostKeys;
using Renci.SshNet.Security;

namespace ParamikoJump.Tests.HostKeys;

public class KnownHostsTests
{
    private static readonly KeyMaterial Keys = KeyMaterial.Instance;
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [Fact]
    public void A_key_on_file_is_known_with_the_line_that_holds_it()
    {
        var (store, file) = Store("# header", $"db.internal {Keys.Ed25519A}");

        var check = store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, Now);

        Assert.Equal(HostKeyVerdict.Known, check.Verdict);
        Assert.Equal($"{file}:2", check.Line!.Location);
    }

    [Fact]
    public void Another_key_of_the_same_type_is_a_change_with_the_expected_fingerprint_and_line()
    {
        var (store, file) = Store($"db.internal {Keys.Ecdsa}", $"db.internal {Keys.Ed25519A}");

        var check = store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519B), null, Now);

        Assert.Equal(HostKeyVerdict.Changed, check.Verdict);
        Assert.Equal($"{file}:2", check.Line!.Location);
        Assert.Equal(Fingerprint(Keys.Ed25519A), check.ExpectedFingerprint);
        Assert.Equal(Fingerprint(Keys.Ed25519B), check.Fingerprint);
    }

    [Fact]
    public void A_key_type_the_host_has_no_key_of_is_changed_as_OpenSSH_decides_naming_the_key_on_file()
    {
        var (store, file) = Store($"db.internal {Keys.Ecdsa}");

        var check = store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, Now);

        Assert.Equal(HostKeyVerdict.Changed, check.Verdict);
        Assert.Equal($"{file}:1", check.Line!.Location);
        Assert.Equal(Fingerprint(Keys.Ecdsa), check.ExpectedFingerprint);
    }

    [Fact]
    public void A_host_with_only_a_CA_or_a_revoked_key_on_file_is_still_unknown_for_a_plain_key()
    {
        var (store, _) = Store($"@cert-authority db.internal {Keys.Ecdsa}", $"@revoked db.internal {Keys.Ed25519B}");

        Assert.Equal(HostKeyVerdict.Unknown, store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, Now).Verdict);
    }

    [Fact]
    public void Any_of_several_keys_of_one_type_for_a_host_is_accepted()
    {
        var (store, _) = Store($"db.internal {Keys.Ed25519A}", $"db.internal {Keys.Ed25519B}");

        Assert.Equal(HostKeyVerdict.Known, store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519B), null, Now).Verdict);
    }

    [Fact]
    public void A_key_is_only_known_for_the_port_it_was_recorded_with()
    {
        var (store, _) = Store($"[db.internal]:2222 {Keys.Ed25519A}");

        Assert.Equal(HostKeyVerdict.Known, store.Check("[db.internal]:2222", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, Now).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, Now).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, store.Check("[db.internal]:2200", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, Now).Verdict);
    }

    [Fact]
    public void A_negated_pattern_keeps_a_host_out_of_a_wildcard_line()
    {
        var (store, _) = Store($"*.example.com,!bad.example.com {Keys.Ed25519A}");

        Assert.Equal(HostKeyVerdict.Known, store.Check("good.example.com", "good.example.com", SshKeygen.Blob(Keys.Ed25519A), null, Now).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, store.Check("bad.example.com", "bad.example.com", SshKeygen.Blob(Keys.Ed25519A), null, Now).Verdict);
    }

    [Fact]
    public void Hashed_names_are_matched()
    {
        var (store, _) = Store($"{HostPatterns.Hash("[db.internal]:2222")} {Keys.Ed25519A}");

        Assert.Equal(HostKeyVerdict.Known, store.Check("[db.internal]:2222", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, Now).Verdict);
        Assert.Equal(HostKeyVerdict.Unknown, store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, Now).Verdict);
    }

    [Fact]
    public void A_revoked_key_is_refused_even_when_another_line_holds_it()
    {
        var (store, file) = Store($"db.internal {Keys.Ed25519A}", $"@revoked * {Keys.Ed25519A}");

        var check = store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, Now);

        Assert.Equal(HostKeyVerdict.Revoked, check.Verdict);
        Assert.Equal($"{file}:2", check.Line!.Location);
    }

    [Fact]
    public void A_host_certificate_from_a_CA_trusted_for_the_name_is_accepted()
    {
        var (store, file) = Store($"@cert-authority *.internal {Keys.Ca}");

        var check = Offer(store, "db.internal", "db.internal", Keys.CertForDb);

        Assert.Equal(HostKeyVerdict.Certified, check.Verdict);
        Assert.Equal($"{file}:1", check.Line!.Location);
        Assert.Equal(Fingerprint(Keys.CertHost), check.Fingerprint);
    }

    [Fact]
    public void A_certificate_is_checked_against_the_bare_host_name_off_port_22()
    {
        var (store, _) = Store($"@cert-authority [*.internal]:2222 {Keys.Ca}");

        Assert.Equal(HostKeyVerdict.Certified, Offer(store, "[db.internal]:2222", "db.internal", Keys.CertForDb).Verdict);
    }

    [Fact]
    public void A_CA_trusted_for_other_names_vouches_for_nothing_and_the_plain_key_decides()
    {
        var (store, _) = Store($"@cert-authority *.example.com {Keys.Ca}");

        Assert.Equal(HostKeyVerdict.Unknown, Offer(store, "db.internal", "db.internal", Keys.CertForDb).Verdict);
    }

    [Fact]
    public void A_certificate_signed_by_an_untrusted_CA_is_not_accepted()
    {
        var (store, _) = Store($"@cert-authority * {Keys.OtherCa}");

        Assert.Equal(HostKeyVerdict.Unknown, Offer(store, "db.internal", "db.internal", Keys.CertForDb).Verdict);
    }

    [Fact]
    public void A_certificate_not_naming_the_host_is_invalid()
    {
        var (store, _) = Store($"@cert-authority * {Keys.Ca}");

        var check = Offer(store, "web.internal", "web.internal", Keys.CertForDb);

        Assert.Equal(HostKeyVerdict.CertificateInvalid, check.Verdict);
        Assert.Contains("not web.internal", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_is_invalid_but_its_plain_key_on_file_still_counts()
    {
        var (certificate, plain) = Keys.NewCertificate("expired", "ca", "db.internal", "20200101:20200102");
        var (store, _) = Store($"@cert-authority * {Keys.Ca}");
        var (storeWithKey, _) = Store($"@cert-authority * {Keys.Ca}", $"db.internal {plain}");

        var check = Offer(store, "db.internal", "db.internal", certificate);

        Assert.Equal(HostKeyVerdict.CertificateInvalid, check.Verdict);
        Assert.Contains("valid from 2020-01-01", check.Reason, StringComparison.Ordinal);
        Assert.Equal(HostKeyVerdict.Known, Offer(storeWithKey, "db.internal", "db.internal", certificate).Verdict);
    }

    [Theory]
    [InlineData("ssh-rsa", false)]
    [InlineData("rsa-sha2-512", true)]
    [InlineData("rsa-sha2-256", true)]
    public void A_host_certificate_is_trusted_only_with_a_CA_signature_ssh_allows_by_default(string signature, bool trusted)
    {
        var directory = TestDirectories.Create("pj-rsa-ca-");
        var ca = SshKeygen.NewKey(directory, "rsa-ca", "rsa");
        var plain = SshKeygen.NewKey(directory, "host");
        SshKeygen.Run("-q", "-s", Path.Combine(directory, "rsa-ca"), "-t", signature, "-I", "host", "-h", "-n", "db.internal", "-V", "-5m:+1h", Path.Combine(directory, "host.pub"));
        var certificate = File.ReadAllText(Path.Combine(directory, "host-cert.pub")).Trim();
        var (store, _) = Store($"@cert-authority * {ca}");
        var (storeWithKey, _) = Store($"@cert-authority * {ca}", $"db.internal {plain}");

        var check = Offer(store, "db.internal", "db.internal", certificate);

        Assert.Equal(trusted ? HostKeyVerdict.Certified : HostKeyVerdict.CertificateInvalid, check.Verdict);
        if (!trusted)
        {
            Assert.Contains("signed it with ssh-rsa", check.Reason, StringComparison.Ordinal);
            Assert.Equal(HostKeyVerdict.Known, Offer(storeWithKey, "db.internal", "db.internal", certificate).Verdict);
        }
    }

    [Fact]
    public void The_principals_a_server_certificate_names_reach_the_reason_escaped()
    {
        var (certificate, _) = Keys.NewCertificate("hostile-principal", "ca", "web\u001b[2J.internal,x\ny", "-5m:+1h");
        var (store, _) = Store($"@cert-authority * {Keys.Ca}");

        var check = Offer(store, "db.internal", "db.internal", certificate);

        Assert.Equal(HostKeyVerdict.CertificateInvalid, check.Verdict);
        Assert.Contains("web\\x1b[2J.internal", check.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b", check.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_certificate_is_not_a_host_certificate()
    {
        var (certificate, _) = Keys.NewCertificate("usercert", "ca", "db.internal", "-5m:+1h", host: false);
        var (store, _) = Store($"@cert-authority * {Keys.Ca}");

        Assert.Equal(HostKeyVerdict.CertificateInvalid, Offer(store, "db.internal", "db.internal", certificate).Verdict);
    }

    [Fact]
    public void A_certificate_without_principals_is_valid_for_any_host()
    {
        var (certificate, _) = Keys.NewCertificate("anyhost", "ca", null, "-5m:+1h");
        var (store, _) = Store($"@cert-authority * {Keys.Ca}");

        Assert.Equal(HostKeyVerdict.Certified, Offer(store, "whatever.internal", "whatever.internal", certificate).Verdict);
    }

    [Fact]
    public void A_revoked_CA_refuses_every_certificate_it_signed()
    {
        var (store, _) = Store($"@cert-authority * {Keys.Ca}", $"@revoked * {Keys.Ca}");

        Assert.Equal(HostKeyVerdict.Revoked, Offer(store, "db.internal", "db.internal", Keys.CertForDb).Verdict);
    }

    [Fact]
    public void A_certificate_whose_key_changed_is_a_change_when_no_CA_vouches()
    {
        var (store, _) = Store($"db.internal {Keys.Ed25519A}");

        Assert.Equal(HostKeyVerdict.Changed, Offer(store, "db.internal", "db.internal", Keys.CertForDb).Verdict);
    }

    [Fact]
    public void The_plain_key_of_a_certificate_is_the_key_it_certifies()
    {
        var certificate = SshKeygen.Blob(Keys.CertForDb);

        Assert.Equal(SshKeygen.Blob(Keys.CertHost), SshKeyBlob.PlainKeyOf(certificate));
        Assert.Null(SshKeyBlob.PlainKeyOf(certificate.AsSpan(0, 60).ToArray()));
    }

    [Fact]
    public void Fingerprints_are_the_ones_ssh_keygen_prints()
    {
        var file = Path.Combine(Keys.Directory, "a.pub");
        var printed = SshKeygen.Run("-l", "-E", "sha256", "-f", file).Split(' ')[1];

        Assert.Equal(printed, SshKeyBlob.Fingerprint(SshKeygen.Blob(Keys.Ed25519A)));
    }

    [Fact]
    public void A_store_made_for_defaults_reads_them_only_when_first_consulted_and_skips_missing_ones()
    {
        var directory = TestDirectories.Create("pj-defaults-");
        var present = Path.Combine(directory, "known_hosts");
        var store = new KnownHosts([Path.Combine(directory, "missing"), present]);
        File.WriteAllText(present, $"db.internal {Keys.Ed25519A}\n");

        Assert.NotNull(store.PendingDefaultFiles);
        Assert.Equal(HostKeyVerdict.Known, store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, Now).Verdict);
        Assert.Null(store.PendingDefaultFiles);
    }

    [Fact]
    public void The_default_files_are_the_users_and_the_systems_known_hosts()
    {
        var files = KnownHosts.DefaultFiles;

        Assert.Contains(files, f => f.EndsWith(Path.Combine(".ssh", "known_hosts"), StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("ssh_known_hosts", StringComparison.Ordinal));
        Assert.Equal(files, KnownHosts.CreateDefault().PendingDefaultFiles);
    }

    [Fact]
    public void Loading_a_named_system_file_that_does_not_exist_fails_but_a_writable_one_may_be_missing()
    {
        var directory = TestDirectories.Create("pj-missing-");
        var store = new KnownHosts();

        Assert.Throws<FileNotFoundException>(() => store.LoadSystemHostKeys(Path.Combine(directory, "nope")));
        store.LoadHostKeys(Path.Combine(directory, "later"));
        Assert.Equal(Path.Combine(directory, "later"), store.WritableFile);
    }

    [Fact]
    public void Reloading_a_file_replaces_what_it_said()
    {
        var (store, file) = Store($"db.internal {Keys.Ed25519A}");
        File.WriteAllText(file, $"db.internal {Keys.Ed25519B}\n");

        store.LoadSystemHostKeys(file);

        Assert.Equal(HostKeyVerdict.Changed, store.Check("db.internal", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, Now).Verdict);
    }

    [Fact]
    public void A_file_loaded_under_two_spellings_is_one_file_and_added_keys_land_in_it_once()
    {
        var (store, file) = Store($"db.internal {Keys.Ed25519A}");
        var spelledOtherwise = Path.Combine(Path.GetDirectoryName(file)!, ".", "known_hosts");

        store.LoadHostKeys(spelledOtherwise);
        store.Add("web.internal", SshKeygen.Blob(Keys.Ed25519B));

        Assert.Equal(file, store.WritableFile);
        Assert.Single(store.LinesFor("web.internal"));
        Assert.Single(store.LinesFor("db.internal"));
    }

    [Fact]
    public void Only_plain_keys_under_plain_names_can_be_added()
    {
        var store = new KnownHosts();

        Assert.Throws<ArgumentException>(() => store.Add("two names", SshKeygen.Blob(Keys.Ed25519A)));
        Assert.Throws<ArgumentException>(() => store.Add("a,b", SshKeygen.Blob(Keys.Ed25519A)));
        Assert.Throws<ArgumentException>(() => store.Add("db", SshKeygen.Blob(Keys.CertForDb)));
        Assert.Throws<ArgumentException>(() => store.Add("db", [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => store.Add("db", [0, 0, 0, 3, (byte)'f', (byte)'o', (byte)'o', 0, 0, 0, 0]));
    }

    internal static (KnownHosts Store, string File) Store(params string[] lines)
    {
        var file = Path.Combine(TestDirectories.Create("pj-kh-"), "known_hosts");
        File.WriteAllText(file, string.Join("\n", lines) + "\n");
        var store = new KnownHosts();
        store.LoadSystemHostKeys(file);
        return (store, file);
    }

    internal static string Fingerprint(string publicKeyLine) => SshKeyBlob.Fingerprint(SshKeygen.Blob(publicKeyLine));

    private static HostKeyCheck Offer(KnownHosts store, string name, string principal, string certificateLine)
    {
        var blob = SshKeygen.Blob(certificateLine);
        return store.Check(name, principal, blob, new Certificate(blob), Now);
    }
}
