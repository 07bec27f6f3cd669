using System.Diagnostics;
using ParamikoJump.HostKeys;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>Every hop's host key checked under the name the user gave it, against real servers and OpenSSH's own verdict.</summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class HostKeyTests(LabFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pj-known-hosts-").FullName;

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task By_default_an_unknown_bastion_is_rejected_under_its_own_name()
    {
        var bastion = Lab["bastion-password"];
        using var client = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: bastion.User,
            password: bastion.Credentials().Password, lookForKeys: false, allowAgent: false, knownHosts: new KnownHosts());

        var error = await Assert.ThrowsAsync<HostKeyRejectedException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HopStage.HostKeyVerification, error.Stage);
        Assert.Equal($"[{bastion.Host}]:{bastion.Port}", error.HostName);
        Assert.StartsWith("SHA256:", error.Fingerprint, StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_target_behind_a_trusted_jump_is_checked_under_its_own_name_never_the_loopback_endpoint()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var target = Lab["target-password"];
        using var client = new SshJumpClient(hostname: target.Host, username: target.User, password: target.Credentials().Password,
            lookForKeys: false, allowAgent: false, jumpSession: jumper, knownHosts: new KnownHosts());

        var error = await Assert.ThrowsAsync<HostKeyRejectedException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal("targets.pjlab", error.HostName);
        Assert.DoesNotContain("127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.Contains($"via {jumper.Hop}", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_changed_target_key_is_refused_whatever_the_policy_naming_file_and_line()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var file = Path.Combine(_directory, "known_hosts");
        var impostor = Lab["hop1"];
        File.WriteAllLines(file, ["# a stale entry", $"targets.pjlab {HostKeyLine(impostor)}"]);
        var store = new KnownHosts();
        store.LoadHostKeys(file);
        var target = Lab["target-password"];
        using var client = new SshJumpClient(hostname: target.Host, username: target.User, password: target.Credentials().Password,
            lookForKeys: false, allowAgent: false, jumpSession: jumper, knownHosts: store, hostKeyPolicy: new AutoAddPolicy());

        var error = await Assert.ThrowsAsync<HostKeyMismatchException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(file, error.KnownHostsFile);
        Assert.Equal(2, error.LineNumber);
        Assert.NotEqual(error.ExpectedFingerprint, error.Fingerprint);
        Assert.Contains(error.ExpectedFingerprint, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, File.ReadAllLines(file).Length);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bastion_on_another_port_is_trusted_by_its_key_filed_under_the_bare_name_as_OpenSSH_trusts_it()
    {
        var bastion = Lab["bastion-password"];
        var file = Path.Combine(_directory, "known_hosts");
        File.WriteAllLines(file, [$"{bastion.Host} {HostKeyLine(bastion)}"]);
        var before = File.ReadAllText(file);
        var store = new KnownHosts();
        store.LoadHostKeys(file);
        using var client = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: bastion.User,
            password: bastion.Credentials().Password, lookForKeys: false, allowAgent: false, knownHosts: store, hostKeyPolicy: new RejectPolicy());

        await client.ConnectAsync(TestContext.Current.CancellationToken);

        Assert.True(client.IsConnected);
        Assert.Equal(before, File.ReadAllText(file));

        // OpenSSH's verdict on the same file: "checking without port identifier", then "found matching key w/out port".
        Assert.Equal(bastion.User, Run("ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", $"UserKnownHostsFile={file}", "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
            "-i", Lab.KeyFile("ed25519"), "-p", bastion.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{bastion.User}@{bastion.Host}", "whoami").Trim());
        Assert.Equal(before, File.ReadAllText(file));
    }

    [Fact(Timeout = 120_000)]
    public async Task AutoAddPolicy_through_five_hops_writes_entries_that_OpenSSH_itself_then_trusts()
    {
        var file = Path.Combine(_directory, "known_hosts");
        var store = new KnownHosts { HashHostNames = true };
        store.LoadHostKeys(file);
        var chain = new List<SshJumpClient>();
        try
        {
            SshJumpClient? previous = null;
            foreach (var id in new[] { "hop1", "hop2", "hop3", "hop4", "hop5" })
            {
                var hop = Lab[id];
                chain.Add(await Hops.ConnectAsync(new SshJumpClient(hostname: hop.Host, username: hop.User, password: hop.Credentials().Password,
                    lookForKeys: false, allowAgent: false, jumpSession: previous, knownHosts: previous is null ? store : null,
                    hostKeyPolicy: previous is null ? new AutoAddPolicy() : null)));
                previous = chain[^1];
            }
        }
        finally
        {
            foreach (var client in Enumerable.Reverse(chain))
            {
                client.Dispose();
            }
        }

        Assert.Equal(5, File.ReadAllLines(file).Length);
        Assert.All(File.ReadAllLines(file), line => Assert.StartsWith("|1|", line, StringComparison.Ordinal));
        foreach (var id in new[] { "hop1", "hop2", "hop3", "hop4", "hop5" })
        {
            var found = Run("ssh-keygen", "-F", Lab[id].Host, "-f", file);
            Assert.Contains(HostKeyLine(Lab[id]).Split(' ')[1], found, StringComparison.Ordinal);
        }

        // OpenSSH itself, refusing anything it cannot verify, reaches the fifth hop with the file we wrote.
        var hop5 = Lab["hop5"];
        var jumps = string.Join(',', new[] { "hop1", "hop2", "hop3", "hop4" }.Select(id => $"{Lab[id].User}@{Lab[id].Host}"));
        var config = Path.Combine(_directory, "ssh_config");
        File.WriteAllLines(config,
        [
            "Host *",
            $"  UserKnownHostsFile {file}",
            "  GlobalKnownHostsFile /dev/null",
            "  StrictHostKeyChecking yes",
            "  BatchMode yes",
            $"  IdentityFile {Lab.KeyFile("ed25519")}",
            "  IdentitiesOnly yes",
        ]);
        Assert.Equal(hop5.User, Run("ssh", "-F", config, "-J", jumps, $"{hop5.User}@{hop5.Host}", "whoami").Trim());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>"ssh-ed25519 AAAA..." of a lab server, from the lab's known_hosts.</summary>
    private string HostKeyLine(LabServer server)
    {
        var name = server.Port == 22 ? server.Host : $"[{server.Host}]:{server.Port}";
        var line = File.ReadLines(Lab.KnownHosts).First(l => l.Split(' ')[0].Split(',').Contains(name));
        return string.Join(' ', line.Split(' ').Skip(1));
    }

    private static string Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited {process.ExitCode}: {errors}");
        return output;
    }
}
