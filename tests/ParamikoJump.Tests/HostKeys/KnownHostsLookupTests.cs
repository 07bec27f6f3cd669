using ParamikoJump.HostKeys;

namespace ParamikoJump.Tests.HostKeys;

public class KnownHostsLookupTests
{
    private static readonly KeyMaterial Keys = KeyMaterial.Instance;

    [Fact]
    public void Lookup_returns_the_keys_of_a_host_in_file_order_with_their_lines()
    {
        var (store, file) = KnownHostsTests.Store("# header", $"db.internal,10.0.0.5 {Keys.Ed25519A}", $"other {Keys.Ed25519B}", $"db.internal {Keys.Ecdsa}");

        var keys = store.Lookup("db.internal");

        Assert.Equal(["ssh-ed25519", "ecdsa-sha2-nistp256"], keys.Select(k => k.KeyType));
        Assert.Equal([2, 4], keys.Select(k => k.LineNumber));
        Assert.All(keys, k => Assert.Equal(file, k.Source));
        Assert.Equal($"db.internal,10.0.0.5 {Keys.Ed25519A}", keys[0].Line);
        Assert.Equal(KnownHostsTests.Fingerprint(Keys.Ed25519A), keys[0].Fingerprint);
        Assert.Equal("db.internal", keys[0].HostName);
        Assert.Equal($"{file}:2 ssh-ed25519 {keys[0].Fingerprint}", keys[0].ToString());
    }

    [Fact]
    public void Lookup_uses_the_port_as_known_hosts_writes_it_and_matches_hashed_names()
    {
        var (store, _) = KnownHostsTests.Store($"{HostPatterns.Hash("[db.internal]:2222")} {Keys.Ed25519A}", $"db.internal {Keys.Ed25519B}");

        var onPort = Assert.Single(store.Lookup("db.internal", 2222));

        Assert.Equal("[db.internal]:2222", onPort.HostName);
        Assert.True(onPort.Matches(SshKeygen.Blob(Keys.Ed25519A)));
        Assert.False(onPort.Matches(SshKeygen.Blob(Keys.Ed25519B)));
        Assert.True(Assert.Single(store.Lookup("db.internal", 22)).Matches(SshKeygen.Blob(Keys.Ed25519B)));
        Assert.Empty(store.Lookup("db.internal", 2200));
    }

    [Fact]
    public void Lookup_marks_CA_and_revoked_lines_and_leaves_out_undecodable_ones()
    {
        var (store, _) = KnownHostsTests.Store(
            $"@cert-authority *.internal {Keys.Ca}",
            $"@revoked db.internal {Keys.Ed25519B}",
            "db.internal ssh-ed25519 AAAAnot-base64!",
            $"db.internal {Keys.Ed25519A}");

        var keys = store.Lookup("db.internal");

        Assert.Equal([(true, false), (false, true), (false, false)], keys.Select(k => (k.IsCertificateAuthority, k.IsRevoked)));
        Assert.StartsWith("@cert-authority", keys[0].Line, StringComparison.Ordinal);
        Assert.Contains("@revoked", keys[1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_key_handed_out_is_a_copy()
    {
        var (store, _) = KnownHostsTests.Store($"db {Keys.Ed25519A}");
        var key = Assert.Single(store.Lookup("db"));

        key.GetKey()[10] ^= 0xff;

        Assert.Equal(SshKeygen.Blob(Keys.Ed25519A), key.GetKey());
    }

    [Fact]
    public void Lookup_of_an_unknown_host_is_empty_and_bad_arguments_are_refused()
    {
        var store = new KnownHosts();

        Assert.Empty(store.Lookup("nowhere"));
        Assert.Throws<ArgumentException>(() => store.Lookup(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Lookup("db", 0));
    }
}
