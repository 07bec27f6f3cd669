using ParamikoJump.HostKeys;
using Renci.SshNet;

namespace ParamikoJump.Tests.HostKeys;

/// <summary>The host-key algorithms offered prefer the key types on file for the host, as ssh's order_hostkeyalgs does.</summary>
public class HostKeyAlgorithmOrderTests
{
    private static readonly KeyMaterial Keys = KeyMaterial.Instance;

    [Fact]
    public void The_algorithms_of_the_key_type_on_file_go_first_and_the_rest_keep_their_order()
    {
        var info = NewInfo();
        var before = info.HostKeyAlgorithms.Keys.ToList();
        var (store, _) = KnownHostsTests.Store($"db.internal {Keys.Ecdsa}");

        HostKeyAlgorithmOrder.PreferKnown(info.HostKeyAlgorithms, store.LinesFor("db.internal"));

        var after = info.HostKeyAlgorithms.Keys.ToList();
        var ecdsa = before.Where(a => HostKeyAlgorithmOrder.PlainKeyType(a) == "ecdsa-sha2-nistp256").ToList();
        Assert.Contains("ecdsa-sha2-nistp256", ecdsa);
        Assert.Contains("ecdsa-sha2-nistp256-cert-v01@openssh.com", ecdsa);
        Assert.Equal(ecdsa.Concat(before.Except(ecdsa)), after);
    }

    [Fact]
    public void The_order_stays_when_the_first_algorithms_key_type_is_on_file_or_nothing_is()
    {
        var info = NewInfo();
        var before = info.HostKeyAlgorithms.Keys.ToList();
        var firstType = HostKeyAlgorithmOrder.PlainKeyType(before[0]);
        var line = firstType == "ssh-ed25519" ? Keys.Ed25519A : throw new InvalidOperationException($"SSH.NET now prefers {before[0]}: pick a matching key");
        var (store, _) = KnownHostsTests.Store($"db.internal {line}", $"db.internal {Keys.Ecdsa}");

        HostKeyAlgorithmOrder.PreferKnown(info.HostKeyAlgorithms, store.LinesFor("db.internal"));
        HostKeyAlgorithmOrder.PreferKnown(info.HostKeyAlgorithms, store.LinesFor("unknown.internal"));

        Assert.Equal(before, info.HostKeyAlgorithms.Keys.ToList());
    }

    [Fact]
    public void A_CA_for_the_host_puts_every_certificate_algorithm_first()
    {
        var info = NewInfo();
        var (store, _) = KnownHostsTests.Store($"@cert-authority *.internal {Keys.Ed25519B}");

        HostKeyAlgorithmOrder.PreferKnown(info.HostKeyAlgorithms, store.LinesFor("db.internal"));

        var after = info.HostKeyAlgorithms.Keys.ToList();
        var certificates = after.Count(a => a.EndsWith("-cert-v01@openssh.com", StringComparison.Ordinal));
        Assert.True(certificates > 0);
        Assert.All(after.Take(certificates), a => Assert.EndsWith("-cert-v01@openssh.com", a, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("rsa-sha2-512", "ssh-rsa")]
    [InlineData("rsa-sha2-256-cert-v01@openssh.com", "ssh-rsa")]
    [InlineData("ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519")]
    [InlineData("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384")]
    public void An_algorithm_names_the_key_type_its_host_key_has(string algorithm, string keyType) =>
        Assert.Equal(keyType, HostKeyAlgorithmOrder.PlainKeyType(algorithm));

    private static ConnectionInfo NewInfo() => new("db.internal", "admin", new PasswordAuthenticationMethod("admin", "unused"));
}
