using Microsoft.Extensions.Logging;
using ParamikoJump.HostKeys;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Security;

namespace ParamikoJump.Tests.HostKeys;

public class HostKeyVerifierTests
{
    private static readonly KeyMaterial Keys = KeyMaterial.Instance;
    private static readonly HopIdentity Bastion = new("bastion.example", 22, "ops");
    private static readonly HopIdentity Db = new("db.internal", 2222, "admin", Bastion);

    [Fact]
    public void RejectPolicy_refuses_an_unknown_key_with_host_type_and_fingerprint()
    {
        var verifier = Verifier(Db, new KnownHosts(), new RejectPolicy());

        var trusted = verifier.Verify(SshKeygen.Blob(Keys.Ed25519A), null);

        Assert.False(trusted);
        var error = verifier.Rejection(new SshConnectionException("Key exchange negotiation failed."));
        Assert.IsNotType<HostKeyMismatchException>(error);
        Assert.Equal(HopStage.HostKeyVerification, error!.Stage);
        Assert.Equal("[db.internal]:2222", error.HostName);
        Assert.Equal("ssh-ed25519", error.KeyType);
        Assert.Equal(KnownHostsTests.Fingerprint(Keys.Ed25519A), error.Fingerprint);
        Assert.Contains("'[db.internal]:2222' (ssh-ed25519 SHA256:", error.Message, StringComparison.Ordinal);
        Assert.Contains("RejectPolicy refused it", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("admin@db.internal:2222 via ops@bastion.example:22: ", error.Message, StringComparison.Ordinal);
        Assert.IsType<SshConnectionException>(error.InnerException);
    }

    [Fact]
    public void AutoAddPolicy_accepts_and_remembers_under_the_logical_name_once_the_key_exchange_goes_on()
    {
        var file = Path.Combine(TestDirectories.Create("pj-auto-"), "known_hosts");
        var store = new KnownHosts();
        store.LoadHostKeys(file);
        var asked = new CountingPolicy(MissingHostKeyAction.AcceptAndSave);
        var first = Verifier(Db, store, asked);

        Assert.True(first.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        Assert.False(File.Exists(file));
        first.CommitAcceptedKey();
        Assert.True(Verifier(Db, store, asked).Verify(SshKeygen.Blob(Keys.Ed25519A), null));

        Assert.Equal(1, asked.Calls);
        Assert.Equal([(1, "")], SshKeygen.Find("[db.internal]:2222", file));
        Assert.Empty(SshKeygen.Find("127.0.0.1", file));
    }

    [Fact]
    public void A_key_the_policy_would_save_is_not_written_when_the_connect_fails_after_the_check()
    {
        var file = Path.Combine(TestDirectories.Create("pj-auto-veto-"), "known_hosts");
        var store = new KnownHosts();
        store.LoadHostKeys(file);
        var verifier = Verifier(Db, store, new AutoAddPolicy());

        Assert.True(verifier.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        verifier.DiscardAcceptedKey();
        verifier.CommitAcceptedKey();

        Assert.False(File.Exists(file));
        Assert.Empty(store.Lookup("db.internal", 2222));
    }

    [Fact]
    public void A_key_exchange_that_fails_after_we_passed_the_key_is_blamed_on_another_handler_only_before_it_went_on()
    {
        var (store, _) = KnownHostsTests.Store($"[db.internal]:2222 {Keys.Ed25519A}");
        var verifier = Verifier(Db, store, new RejectPolicy());
        var kexFailed = new SshConnectionException("Key exchange negotiation failed.", Renci.SshNet.Messages.Transport.DisconnectReason.KeyExchangeFailed);

        Assert.True(verifier.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        var vetoed = verifier.Rejection(kexFailed);
        Assert.Null(verifier.Rejection(new SshConnectionException("reset", Renci.SshNet.Messages.Transport.DisconnectReason.ConnectionLost)));
        Assert.Null(verifier.CommitAcceptedKey());

        Assert.NotNull(vetoed);
        Assert.IsNotType<HostKeyMismatchException>(vetoed);
        Assert.Same(kexFailed, vetoed.InnerException);
        Assert.Contains("refused by a HostKeyReceived handler of the application", vetoed.Message, StringComparison.Ordinal);
        Assert.Null(verifier.Rejection(kexFailed));
    }

    [Fact]
    public void A_HostKeyAlias_is_the_name_keys_are_looked_up_and_saved_under_without_a_port()
    {
        var (store, file) = KnownHostsTests.Store($"db-alias {Keys.Ed25519A}");
        store.LoadHostKeys(file);
        var alias = new HostKeyVerifier(Db, store, new RejectPolicy(), new ListLogger(), TimeProvider.System, "db-alias");
        var other = new HostKeyVerifier(new HopIdentity("db2.internal", 2222, "admin"), store, new AutoAddPolicy(), new ListLogger(), TimeProvider.System, "db2-alias");

        Assert.True(alias.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        Assert.False(Verifier(Db, store, new RejectPolicy()).Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        Assert.True(other.Verify(SshKeygen.Blob(Keys.Ed25519B), null));
        other.CommitAcceptedKey();

        Assert.Equal([(2, "")], SshKeygen.Find("db2-alias", file));
        Assert.Empty(SshKeygen.Find("[db2.internal]:2222", file));
        Assert.Equal("db-alias", alias.HostName);
    }

    [Fact]
    public void A_host_on_another_port_is_trusted_by_its_key_filed_under_the_bare_name_as_ssh_checks_without_port_identifier()
    {
        var (store, file) = KnownHostsTests.Store($"db.internal {Keys.Ed25519A}");
        store.LoadHostKeys(file);
        var before = File.ReadAllText(file);
        var asked = new CountingPolicy(MissingHostKeyAction.AcceptAndSave);
        var verifier = Verifier(Db, store, asked);

        Assert.True(verifier.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        Assert.Null(verifier.CommitAcceptedKey());

        Assert.Equal(0, asked.Calls);
        Assert.Equal(before, File.ReadAllText(file));
    }

    [Fact]
    public void Another_key_under_the_bare_name_leaves_a_host_on_another_port_unknown_not_changed_as_in_ssh()
    {
        var (store, file) = KnownHostsTests.Store($"db.internal {Keys.Ed25519B}");
        store.LoadHostKeys(file);

        var rejected = Verifier(Db, store, new RejectPolicy());
        Assert.False(rejected.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        var error = rejected.Rejection(null);
        Assert.IsNotType<HostKeyMismatchException>(error);
        Assert.Equal("[db.internal]:2222", error!.HostName);

        var added = Verifier(Db, store, new AutoAddPolicy());
        Assert.True(added.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        added.CommitAcceptedKey();
        Assert.Equal([(2, "")], SshKeygen.Find("[db.internal]:2222", file));
    }

    [Fact]
    public void The_bare_name_is_not_consulted_under_a_HostKeyAlias_a_revocation_or_a_changed_key_on_the_port()
    {
        var (aliased, _) = KnownHostsTests.Store($"db.internal {Keys.Ed25519A}");
        var alias = new HostKeyVerifier(Db, aliased, new RejectPolicy(), new ListLogger(), TimeProvider.System, "db-alias");
        Assert.False(alias.Verify(SshKeygen.Blob(Keys.Ed25519A), null));

        var (changed, _) = KnownHostsTests.Store($"[db.internal]:2222 {Keys.Ed25519B}", $"db.internal {Keys.Ed25519A}");
        var onPort = Verifier(Db, changed, new RejectPolicy());
        Assert.False(onPort.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        Assert.IsType<HostKeyMismatchException>(onPort.Rejection(null));

        var (revoked, _) = KnownHostsTests.Store($"@revoked [db.internal]:2222 {Keys.Ed25519A}", $"db.internal {Keys.Ed25519A}");
        var revokedOnPort = Verifier(Db, revoked, new AutoAddPolicy());
        Assert.False(revokedOnPort.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        Assert.Contains("is revoked by", revokedOnPort.Rejection(null)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_a_trusted_CA_signed_that_does_not_hold_is_refused_even_by_AutoAddPolicy_unless_its_plain_key_is_on_file()
    {
        var (certificate, plain) = Keys.NewCertificate("expired-autoadd", "ca", "db.internal", "20200101:20200102");
        var blob = SshKeygen.Blob(certificate);
        var (store, file) = KnownHostsTests.Store($"@cert-authority * {Keys.Ca}");
        store.LoadHostKeys(file);
        var (storeWithKey, _) = KnownHostsTests.Store($"@cert-authority * {Keys.Ca}", $"[db.internal]:2222 {plain}");

        var refused = Verifier(Db, store, new AutoAddPolicy());
        Assert.False(refused.Verify(blob, new Certificate(blob)));
        refused.CommitAcceptedKey();
        Assert.Contains("is signed by the CA trusted at", refused.Rejection(null)!.Message, StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines(file));

        Assert.True(Verifier(Db, storeWithKey, new RejectPolicy()).Verify(blob, new Certificate(blob)));
    }

    [Fact]
    public void WarningPolicy_accepts_once_logs_a_warning_and_remembers_nothing()
    {
        var store = new KnownHosts();
        var logger = new ListLogger();

        Assert.True(new HostKeyVerifier(Db, store, new WarningPolicy(), logger).Verify(SshKeygen.Blob(Keys.Ed25519A), null));

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("UNKNOWN host key of [db.internal]:2222", StringComparison.Ordinal));
        Assert.Equal(HostKeyVerdict.Unknown, store.Check("[db.internal]:2222", "db.internal", SshKeygen.Blob(Keys.Ed25519A), null, DateTimeOffset.UtcNow).Verdict);
    }

    [Theory]
    [InlineData(MissingHostKeyAction.Accept)]
    [InlineData(MissingHostKeyAction.AcceptAndSave)]
    public void A_changed_key_is_refused_whatever_the_policy_with_both_fingerprints_and_the_line(MissingHostKeyAction action)
    {
        var (store, file) = KnownHostsTests.Store("# first", $"[db.internal]:2222 {Keys.Ed25519A}");
        var asked = new CountingPolicy(action);
        var verifier = Verifier(Db, store, asked);

        Assert.False(verifier.Verify(SshKeygen.Blob(Keys.Ed25519B), null));

        var error = Assert.IsType<HostKeyMismatchException>(verifier.Rejection(null));
        Assert.Equal(0, asked.Calls);
        Assert.Equal(KnownHostsTests.Fingerprint(Keys.Ed25519B), error.Fingerprint);
        Assert.Equal(KnownHostsTests.Fingerprint(Keys.Ed25519A), error.ExpectedFingerprint);
        Assert.Equal(file, error.KnownHostsFile);
        Assert.Equal(2, error.LineNumber);
        Assert.Contains($"HOST KEY CHANGED for '[db.internal]:2222': it offered ssh-ed25519 {error.Fingerprint}, but {file}:2 expects {error.ExpectedFingerprint}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_revoked_key_is_refused_even_by_AutoAddPolicy()
    {
        var (store, file) = KnownHostsTests.Store($"@revoked * {Keys.Ed25519A}");
        var verifier = Verifier(Db, store, new AutoAddPolicy());

        Assert.False(verifier.Verify(SshKeygen.Blob(Keys.Ed25519A), null));

        Assert.Contains($"is revoked by {file}:1", verifier.Rejection(null)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_invalid_certificate_from_a_trusted_CA_is_refused_even_by_AutoAddPolicy()
    {
        var (store, file) = KnownHostsTests.Store($"@cert-authority * {Keys.Ca}");
        var verifier = Verifier(new HopIdentity("web.internal", 22, "ops"), store, new AutoAddPolicy());
        var blob = SshKeygen.Blob(Keys.CertForDb);

        Assert.False(verifier.Verify(blob, new Certificate(blob)));

        var message = verifier.Rejection(null)!.Message;
        Assert.Contains($"signed by the CA trusted at {file}:1, but it names db.internal, bastion.example, not web.internal", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Re_keys_presenting_the_trusted_key_do_not_ask_again()
    {
        var asked = new CountingPolicy(MissingHostKeyAction.Accept);
        var verifier = Verifier(Db, new KnownHosts(), asked);

        for (var i = 0; i < 5; i++)
        {
            Assert.True(verifier.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        }

        Assert.Equal(1, asked.Calls);
    }

    [Fact]
    public void A_re_key_presenting_another_key_is_refused_even_when_the_files_vouch_for_it()
    {
        var (store, _) = KnownHostsTests.Store($"[db.internal]:2222 {Keys.Ed25519A}", $"[db.internal]:2222 {Keys.Ed25519B}");
        var verifier = Verifier(Db, store, new AutoAddPolicy());

        Assert.True(verifier.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        Assert.False(verifier.Verify(SshKeygen.Blob(Keys.Ed25519B), null));

        var error = verifier.Rejection(null)!;
        Assert.Equal(KnownHostsTests.Fingerprint(Keys.Ed25519B), error.Fingerprint);
        Assert.Contains($"changed during a re-key: it offered ssh-ed25519 {error.Fingerprint} after {KnownHostsTests.Fingerprint(Keys.Ed25519A)}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_connection_asks_again_and_forgets_the_last_refusal()
    {
        var asked = new CountingPolicy(MissingHostKeyAction.Accept);
        var verifier = Verifier(Db, new KnownHosts(), asked);
        verifier.Verify(SshKeygen.Blob(Keys.Ed25519A), null);
        verifier.Policy = new RejectPolicy();
        verifier.Reset();

        Assert.False(verifier.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        verifier.Reset();

        Assert.Null(verifier.Rejection(null));
    }

    [Fact]
    public void A_policy_that_throws_refuses_and_its_exception_is_the_cause()
    {
        var verifier = Verifier(Db, new KnownHosts(), new ThrowingPolicy());

        Assert.False(verifier.Verify(SshKeygen.Blob(Keys.Ed25519A), null));

        var error = verifier.Rejection(new SshConnectionException("Key exchange negotiation failed."));
        Assert.IsType<InvalidOperationException>(error!.InnerException);
        Assert.Contains("ThrowingPolicy failed: no prompt available", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_policy_sees_the_hop_and_the_logical_name()
    {
        var asked = new CountingPolicy(MissingHostKeyAction.Reject);

        Verifier(Db, new KnownHosts(), asked).Verify(SshKeygen.Blob(Keys.Ed25519A), null);

        var seen = asked.Last!;
        Assert.Same(Db, seen.Hop);
        Assert.Equal("[db.internal]:2222", seen.HostName);
        Assert.Empty(seen.KnownKeyTypes);
        Assert.Equal(SshKeygen.Blob(Keys.Ed25519A), seen.GetKey());
    }

    [Theory]
    [InlineData(MissingHostKeyAction.Accept)]
    [InlineData(MissingHostKeyAction.AcceptAndSave)]
    public void A_key_of_another_type_than_the_one_on_file_is_changed_and_the_policy_is_not_asked(MissingHostKeyAction action)
    {
        var (store, file) = KnownHostsTests.Store($"[db.internal]:2222 {Keys.Ecdsa}");
        var asked = new CountingPolicy(action);
        var verifier = Verifier(Db, store, asked);

        Assert.False(verifier.Verify(SshKeygen.Blob(Keys.Ed25519A), null));
        verifier.CommitAcceptedKey();

        var error = Assert.IsType<HostKeyMismatchException>(verifier.Rejection(null));
        Assert.Equal(0, asked.Calls);
        Assert.Equal(KnownHostsTests.Fingerprint(Keys.Ecdsa), error.ExpectedFingerprint);
        Assert.Contains($"expects its ecdsa-sha2-nistp256 key {error.ExpectedFingerprint}", error.Message, StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines(file));
    }

    [Fact]
    public void A_hop_through_one_of_our_clients_shares_its_store_and_policy_unless_given_its_own()
    {
        var store = new KnownHosts();
        var policy = new AutoAddPolicy();
        using var jump = new SshJumpClient(hostname: "bastion.example", username: "ops", password: "pw", hostKeyPolicy: policy, knownHosts: store);
        using var plainJump = new SshClient("bastion.example", "ops", "pw");

        var shared = HostKeyVerifier.ForHop(Db, jump, null, null, new ListLogger(), TimeProvider.System);
        var own = HostKeyVerifier.ForHop(Db, jump, new RejectPolicy(), new KnownHosts(), new ListLogger(), TimeProvider.System);
        var throughPlain = HostKeyVerifier.ForHop(Db, plainJump, null, null, new ListLogger(), TimeProvider.System);

        Assert.Same(store, shared.Store);
        Assert.Same(policy, shared.Policy);
        Assert.NotSame(store, own.Store);
        Assert.IsType<RejectPolicy>(own.Policy);
        Assert.IsType<RejectPolicy>(throughPlain.Policy);
        Assert.Equal(KnownHosts.DefaultFiles, throughPlain.Store.PendingDefaultFiles);
    }

    [Fact]
    public void SSH_NET_hands_over_the_key_in_the_wire_format_known_hosts_holds()
    {
        var keyFile = Path.Combine(Keys.Directory, "a");
        using var privateKey = new PrivateKeyFile(keyFile);
        var args = new HostKeyEventArgs(new KeyHostAlgorithm("ssh-ed25519", privateKey.Key));

        Assert.Equal(SshKeygen.Blob(Keys.Ed25519A), args.HostKey);
        Assert.Equal(KnownHostsTests.Fingerprint(Keys.Ed25519A), "SHA256:" + args.FingerPrintSHA256);
    }

    private static HostKeyVerifier Verifier(HopIdentity hop, KnownHosts store, IMissingHostKeyPolicy policy) =>
        new(hop, store, policy, new ListLogger(), TimeProvider.System);

    private sealed class CountingPolicy(MissingHostKeyAction action) : IMissingHostKeyPolicy
    {
        public int Calls { get; private set; }

        public UnknownHostKey? Last { get; private set; }

        public MissingHostKeyAction MissingHostKey(UnknownHostKey hostKey)
        {
            Calls++;
            Last = hostKey;
            return action;
        }
    }

    private sealed class ThrowingPolicy : IMissingHostKeyPolicy
    {
        public MissingHostKeyAction MissingHostKey(UnknownHostKey hostKey) => throw new InvalidOperationException("no prompt available");
    }
}
