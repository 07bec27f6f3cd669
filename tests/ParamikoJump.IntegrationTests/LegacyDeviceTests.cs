using System.Diagnostics;
using System.Text.RegularExpressions;
using ParamikoJump.Configuration;
using ParamikoJump.Execution;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// The lab's old network device (switch01: only diffie-hellman-group14-sha1, an ssh-rsa host key, aes128-cbc/aes256-ctr,
/// hmac-sha1, a switch CLI as its login) behind the modern bastion: refused by default as ssh refuses it, reached with
/// the algorithms opted in for that hop only (HopSettings or ssh_config, the same lines ssh -J takes), and driven at
/// its prompts.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class LegacyDeviceTests(LabFixture fixture) : IDisposable
{
    private static readonly Regex DevicePrompt = new(@"switch01[>#]$");

    private readonly string _directory = Directory.CreateTempSubdirectory("paramikojump-legacy-").FullName;

    private LabDescription Lab => fixture.Lab;

    private LabServer Device => Lab["switch01"];

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 90_000)]
    public async Task By_default_the_device_is_refused_at_key_exchange_naming_the_hop_both_lists_and_the_option_that_opts_in()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var device = Hops.Target(Lab, "switch01", jumper);

        var error = await Assert.ThrowsAsync<HopAlgorithmException>(() => device.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(device.Hop, error.Hop);
        Assert.Equal(HopStage.KeyExchange, error.Stage);
        Assert.Equal("KexAlgorithms", error.Option);
        Assert.Contains("diffie-hellman-group14-sha1", error.ServerAlgorithms);
        Assert.DoesNotContain("diffie-hellman-group14-sha1", error.ClientAlgorithms);
        Assert.Contains("curve25519-sha256", error.ClientAlgorithms);
        Assert.Contains("KexAlgorithms = \"+NAME\"", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{Device.User}@{Device.Host}:22 via", error.Message, StringComparison.Ordinal);
        Assert.True(jumper.IsConnected);
    }

    [Fact(Timeout = 90_000)]
    public async Task With_only_the_key_exchange_opted_in_the_ssh_rsa_host_key_is_refused_next()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var device = Hops.Target(Lab, "switch01", jumper, hop => hop.KexAlgorithms = "+diffie-hellman-group14-sha1");

        var error = await Assert.ThrowsAsync<HopAlgorithmException>(() => device.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal("HostKeyAlgorithms", error.Option);
        Assert.Equal(["ssh-rsa"], error.ServerAlgorithms);
        Assert.DoesNotContain("ssh-rsa", error.ClientAlgorithms);
    }

    [Fact(Timeout = 90_000)]
    public async Task Opted_in_per_hop_in_HopSettings_the_device_answers_its_CLI_through_the_jump_and_the_jump_stays_strict()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var device = await Hops.ConnectAsync(Hops.Target(Lab, "switch01", jumper, hop =>
        {
            hop.KexAlgorithms = "+diffie-hellman-group14-sha1";
            hop.HostKeyAlgorithms = "+ssh-rsa";
            hop.Ciphers = "+aes128-cbc";
        }));

        Assert.Equal(
            ("diffie-hellman-group14-sha1", "ssh-rsa", "hmac-sha1"),
            (device.ConnectionInfo.CurrentKeyExchangeAlgorithm, device.ConnectionInfo.CurrentHostKeyAlgorithm, device.ConnectionInfo.CurrentClientHmacAlgorithm));
        Assert.Equal("aes256-ctr", device.ConnectionInfo.CurrentClientEncryption);
        Assert.DoesNotContain(jumper.ConnectionInfo.KeyExchangeAlgorithms.Keys, name => name.EndsWith("sha1", StringComparison.Ordinal));
        Assert.DoesNotContain("ssh-rsa", jumper.ConnectionInfo.HostKeyAlgorithms.Keys);

        Assert.Contains("Version 15.2(7)E-lab", Hops.Run(device, "show version"), StringComparison.Ordinal);

        using var cli = new PromptShell(device, DevicePrompt, TimeSpan.FromSeconds(20));
        var interfaces = cli.Run("sh ip int br");
        var refused = cli.Run("show running-config");
        cli.SendAndExpect("enable", new Regex(@"Password: ?$"));
        cli.SendAndExpect(Device.Credentials().EnablePassword!, DevicePrompt);
        var config = cli.Run("show running-config");

        Assert.Contains("GigabitEthernet0/1     unassigned      YES unset  up", interfaces, StringComparison.Ordinal);
        Assert.StartsWith("% Invalid input", refused, StringComparison.Ordinal);
        Assert.StartsWith("hostname switch01\n", config, StringComparison.Ordinal);
        Assert.DoesNotContain(Device.Credentials().EnablePassword!, config, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_same_ssh_config_lines_refuse_and_then_reach_the_device_for_ParamikoJump_and_for_ssh_J()
    {
        var file = WriteConfig();
        var config = SshConfig.Load(file);
        var password = Device.Credentials().Password!;
        void Configure(string name, HopSettings hop)
        {
            if (name.StartsWith("switch01", StringComparison.Ordinal))
            {
                hop.Password = password;
            }
        }

        var refused = await Assert.ThrowsAsync<HopAlgorithmException>(() => config.ConnectAsync("switch01-default", Configure, cancellationToken: TestContext.Current.CancellationToken));
        var sshRefused = Ssh(file, "switch01-default", "show version", password);
        using var device = await config.ConnectAsync("switch01", Configure, cancellationToken: TestContext.Current.CancellationToken);
        var ours = Hops.Run(device, "show ip interface brief");
        var ssh = Ssh(file, "switch01", "show ip interface brief", password);

        Assert.Equal("KexAlgorithms", refused.Option);
        Assert.NotEqual(0, sshRefused.ExitCode);
        Assert.Contains("no matching key exchange method found", sshRefused.Error, StringComparison.Ordinal);
        Assert.True(ssh.ExitCode == 0, ssh.Error);
        Assert.Equal(ssh.Output.Trim(), ours);
        Assert.Equal("diffie-hellman-group14-sha1", device.ConnectionInfo.CurrentKeyExchangeAlgorithm);
        Assert.DoesNotContain("ssh-rsa", ((SshJumpClient)device.JumpSession!).ConnectionInfo.HostKeyAlgorithms.Keys);
    }

    private string WriteConfig()
    {
        var bastion = Lab["bastion-password"];
        var path = Path.Combine(_directory, "config");
        File.WriteAllText(path, $"""
            Host bastion
              HostName {bastion.Host}
              Port {bastion.Port}
              User {bastion.User}
              IdentityFile {Lab.KeyFile("ed25519")}
              IdentitiesOnly yes
            Host switch01-default
              HostName {Device.Host}
              ProxyJump bastion
              User {Device.User}
            Host switch01
              HostName {Device.Host}
              ProxyJump bastion
              User {Device.User}
              KexAlgorithms +diffie-hellman-group14-sha1
              HostKeyAlgorithms +ssh-rsa
              Ciphers +aes128-cbc
            Host *
              UserKnownHostsFile {Lab.KnownHosts}
              GlobalKnownHostsFile /dev/null
              StrictHostKeyChecking yes
              LogLevel INFO

            """);
        return path;
    }

    /// <summary>OpenSSH's client with the same file: the bastion by key, the device by password (sshpass).</summary>
    private static (int ExitCode, string Output, string Error) Ssh(string configFile, string host, string command, string password)
    {
        var start = new ProcessStartInfo("sshpass") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.Environment["SSHPASS"] = password;
        foreach (var arg in new[] { "-e", "ssh", "-F", configFile, host, command })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"ssh -F {configFile} {host} did not finish in 60 s");
        }

        return (process.ExitCode, output, error.Result);
    }
}
