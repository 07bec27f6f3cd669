using ParamikoJump.HostKeys;
using Renci.SshNet;

namespace ParamikoJump.Tests.HostKeys;

public class SshJumpClientHostKeyTests
{
    [Fact]
    public void By_default_a_client_rejects_unknown_hosts_and_will_read_the_default_files_only_at_connect()
    {
        using var client = new SshJumpClient(hostname: "db", username: "admin", password: "pw");

        Assert.IsType<RejectPolicy>(client.MissingHostKeyPolicy);
        Assert.Equal(KnownHosts.DefaultFiles, client.HostKeys.PendingDefaultFiles);
    }

    [Fact]
    public void The_policy_and_store_can_be_given_to_either_constructor()
    {
        var store = new KnownHosts();
        var policy = new WarningPolicy();
        var info = new ConnectionInfo("db", 22, "admin", new PasswordAuthenticationMethod("admin", "pw"));

        using var paramikoStyle = new SshJumpClient(hostname: "db", username: "admin", password: "pw", hostKeyPolicy: policy, knownHosts: store);
        using var fromInfo = new SshJumpClient(info, hostKeyPolicy: policy, knownHosts: store);

        Assert.Same(store, paramikoStyle.HostKeys);
        Assert.Same(policy, paramikoStyle.MissingHostKeyPolicy);
        Assert.Same(store, fromInfo.HostKeys);
        Assert.Same(policy, fromInfo.MissingHostKeyPolicy);
    }

    [Fact]
    public void The_policy_can_be_changed_but_not_to_nothing()
    {
        using var client = new SshJumpClient(hostname: "db", username: "admin", password: "pw");
        var policy = new AutoAddPolicy();

        client.SetMissingHostKeyPolicy(policy);

        Assert.Same(policy, client.MissingHostKeyPolicy);
        Assert.Throws<ArgumentNullException>(() => client.SetMissingHostKeyPolicy(null!));
    }

    [Fact]
    public void Load_and_save_work_on_the_clients_store()
    {
        var keys = KeyMaterial.Instance;
        var directory = TestDirectories.Create("pj-client-");
        var system = Path.Combine(directory, "ssh_known_hosts");
        var mine = Path.Combine(directory, "known_hosts");
        var copy = Path.Combine(directory, "copy");
        File.WriteAllText(system, $"bastion {keys.Ecdsa}\n");
        using var client = new SshJumpClient(hostname: "db", username: "admin", password: "pw", knownHosts: new KnownHosts());

        client.LoadSystemHostKeys(system);
        client.LoadHostKeys(mine);
        client.HostKeys.Add("db", SshKeygen.Blob(keys.Ed25519A));
        client.SaveHostKeys(copy);

        Assert.Equal(mine, client.HostKeys.WritableFile);
        Assert.Single(SshKeygen.Find("db", copy));
        Assert.Empty(SshKeygen.Find("bastion", copy));
        Assert.Equal($"bastion {keys.Ecdsa}\n", File.ReadAllText(system));
    }
}
