using System.Diagnostics;
using ParamikoJump.Configuration;
using ParamikoJump.Hops;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ParamikoJump.Tests.Configuration;

/// <summary>
/// KexAlgorithms, HostKeyAlgorithms, Ciphers and MACs as ssh_config(5) defines them (a list replaces, + appends,
/// - removes with wildcards, ^ prepends), with ssh -G of this machine's OpenSSH as the oracle, and what a hop offers.
/// </summary>
public sealed class AlgorithmListTests(ConfigFiles files) : IClassFixture<ConfigFiles>
{
    // OpenSSH 9.9+ offers it first; the 9.2 here does not know it, so it is left out of the comparison with ssh -G.
    private const string NewerThanThisSsh = "mlkem768x25519-sha256";

    [Theory]
    [InlineData("KexAlgorithms", null)]
    [InlineData("KexAlgorithms", "+diffie-hellman-group14-sha1")]
    [InlineData("KexAlgorithms", "+curve25519-sha256,diffie-hellman-group1-sha1")]
    [InlineData("KexAlgorithms", "-*sha1,ecdh-*")]
    [InlineData("KexAlgorithms", "-diffie-hellman-group14-sha256")]
    [InlineData("KexAlgorithms", "^diffie-hellman-group14-sha1,curve25519-sha256")]
    [InlineData("KexAlgorithms", "diffie-hellman-group14-sha1,curve25519-sha256")]
    [InlineData("HostKeyAlgorithms", null)]
    [InlineData("HostKeyAlgorithms", "+ssh-rsa")]
    [InlineData("HostKeyAlgorithms", "^ssh-rsa,ssh-ed25519")]
    [InlineData("HostKeyAlgorithms", "-*-cert-v01@openssh.com,sk-*")]
    [InlineData("HostKeyAlgorithms", "ssh-ed25519,rsa-sha2-512,ssh-rsa")]
    [InlineData("Ciphers", null)]
    [InlineData("Ciphers", "+aes128-cbc,3des-cbc")]
    [InlineData("Ciphers", "aes256-ctr,aes128-cbc")]
    [InlineData("Ciphers", "-chacha*,aes192*")]
    [InlineData("Ciphers", "^aes128-cbc")]
    [InlineData("Ciphers", "aes128-ctr,,aes256-ctr")]
    [InlineData("Ciphers", "+aes128-cbc,,bogus")]
    [InlineData("MACs", null)]
    [InlineData("MACs", "+hmac-md5,hmac-sha1")]
    [InlineData("MACs", "-umac*,hmac-sha1*")]
    [InlineData("MACs", "hmac-sha1")]
    public void A_list_resolves_as_ssh_G_resolves_it(string option, string? spec)
    {
        var kind = Enum.Parse<AlgorithmKind>(option);
        var file = files.Write(spec is null ? "Host device\n" : $"Host device\n  {option} {spec}\n");

        var ssh = SshGValue(file, option.ToLowerInvariant());
        var ours = AlgorithmLists.Resolve(kind, spec).Where(name => name != NewerThanThisSsh);

        Assert.Equal(ssh, string.Join(",", ours));
    }

    [Theory]
    [InlineData("KexAlgorithms", "+diffie-hellman-group15-sha1")]
    [InlineData("KexAlgorithms", "diffie-hellman-*")]
    [InlineData("HostKeyAlgorithms", "+ssh-foo")]
    [InlineData("HostKeyAlgorithms", "nothing-matches-*")]
    [InlineData("Ciphers", "^aes128-cbx")]
    [InlineData("MACs", "hmac-sha3")]
    public void A_name_ssh_refuses_is_an_SshConfigException_naming_file_and_line(string option, string spec)
    {
        var file = files.Write($"Host device\n  User ops\n  {option} {spec}\n");

        var ssh = RunSshG(file);
        var error = Assert.Throws<SshConfigException>(() => SshConfig.Load(file).Resolve("device"));

        Assert.NotEqual(0, ssh.ExitCode);
        Assert.Equal(file, error.FilePath);
        Assert.Equal(3, error.Line);
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_that_does_not_apply_is_still_checked_as_ssh_checks_it()
    {
        var error = Assert.Throws<SshConfigException>(() => SshConfig.Parse("Host other\n  Ciphers +nonsense-cbc\n").Resolve("device"));

        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void A_list_that_leaves_nothing_is_refused()
    {
        var error = Assert.Throws<FormatException>(() => AlgorithmLists.Resolve(AlgorithmKind.Ciphers, "-*"));

        Assert.Contains("leaves no algorithm", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plus_adds_only_names_not_already_there_and_caret_moves_them_to_the_front()
    {
        var appended = AlgorithmLists.Resolve(AlgorithmKind.MACs, "+hmac-sha1,hmac-md5");
        var prepended = AlgorithmLists.Resolve(AlgorithmKind.MACs, "^hmac-sha1");

        Assert.Equal(AlgorithmLists.Defaults(AlgorithmKind.MACs).Concat(["hmac-md5"]), appended);
        Assert.Equal(["hmac-sha1", .. AlgorithmLists.Defaults(AlgorithmKind.MACs).Where(name => name != "hmac-sha1")], prepended);
    }

    [Fact]
    public void The_options_apply_to_the_hop_they_are_configured_for_only()
    {
        var config = SshConfig.Parse("""
            Host switch01
              ProxyJump bastion
              KexAlgorithms +diffie-hellman-group14-sha1
              HostKeyAlgorithms +ssh-rsa
              Ciphers +aes128-cbc
              MACs hmac-sha1
            """);

        var device = config.Resolve("switch01");
        var target = device.ToHopSettings();
        var jump = device.Jumps.Single().ToHopSettings();

        Assert.Equal("+diffie-hellman-group14-sha1", target.KexAlgorithms);
        Assert.Equal("+ssh-rsa", target.HostKeyAlgorithms);
        Assert.Equal("+aes128-cbc", target.Ciphers);
        Assert.Equal("hmac-sha1", target.MACs);
        Assert.Null(jump.KexAlgorithms);
        Assert.Null(jump.HostKeyAlgorithms);
        Assert.Null(jump.Ciphers);
        Assert.Null(jump.MACs);
    }

    [Fact]
    public void A_configured_list_SSH_NET_cannot_do_at_all_is_an_SshConfigException_at_its_line()
    {
        var host = SshConfig.Parse("Host device\n  MACs umac-64-etm@openssh.com\n").Resolve("device");

        var error = Assert.Throws<SshConfigException>(() => host.ToHopSettings());

        Assert.Equal(2, error.Line);
        Assert.Contains("SSH.NET implements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hop_offers_OpenSSHs_defaults_that_SSH_NET_implements_and_none_of_SSH_NETs_legacy_algorithms()
    {
        using var client = new SshJumpClient(new HopSettings("device.example") { Username = "ops", Password = "pw", LookForKeys = false, AllowAgent = false });
        var info = client.ConnectionInfo;

        Assert.Equal(AlgorithmLists.Defaults(AlgorithmKind.KexAlgorithms).Where(info.KeyExchangeAlgorithms.ContainsKey), info.KeyExchangeAlgorithms.Keys);
        Assert.Equal(AlgorithmLists.Defaults(AlgorithmKind.HostKeyAlgorithms).Where(info.HostKeyAlgorithms.ContainsKey), info.HostKeyAlgorithms.Keys);
        Assert.Equal(AlgorithmLists.Defaults(AlgorithmKind.MACs).Where(info.HmacAlgorithms.ContainsKey), info.HmacAlgorithms.Keys);
        Assert.Equal(AlgorithmLists.Defaults(AlgorithmKind.Ciphers).OrderBy(x => x), info.Encryptions.Keys.OrderBy(x => x));
        Assert.DoesNotContain(info.KeyExchangeAlgorithms.Keys, name => name.EndsWith("sha1", StringComparison.Ordinal));
        Assert.DoesNotContain("ssh-rsa", info.HostKeyAlgorithms.Keys);
        Assert.DoesNotContain(info.Encryptions.Keys, name => name.EndsWith("-cbc", StringComparison.Ordinal));

        // Per client: SSH.NET's own defaults are untouched.
        var plain = new Renci.SshNet.ConnectionInfo("device.example", "ops", new Renci.SshNet.PasswordAuthenticationMethod("ops", "pw"));
        Assert.Contains("diffie-hellman-group14-sha1", plain.KeyExchangeAlgorithms.Keys);
        Assert.Contains("ssh-rsa", plain.HostKeyAlgorithms.Keys);
    }

    [Fact]
    public void A_hop_that_opts_in_offers_the_legacy_algorithms_after_the_defaults_and_its_own_cipher_order()
    {
        using var client = new SshJumpClient(new HopSettings("device.example")
        {
            Username = "ops",
            Password = "pw",
            LookForKeys = false,
            AllowAgent = false,
            KexAlgorithms = "+diffie-hellman-group14-sha1",
            HostKeyAlgorithms = "+ssh-rsa",
            Ciphers = "aes256-ctr,aes128-cbc",
        });
        var info = client.ConnectionInfo;

        Assert.Equal("diffie-hellman-group14-sha1", info.KeyExchangeAlgorithms.Keys.Last());
        Assert.Equal("ssh-rsa", info.HostKeyAlgorithms.Keys.Last());
        Assert.Equal(["aes256-ctr", "aes128-cbc"], info.Encryptions.Keys);
    }

    [Fact]
    public void Names_a_hop_asks_for_that_SSH_NET_does_not_implement_are_left_out_with_a_log_line()
    {
        var log = new ListLogger();
        using var client = new SshJumpClient(new HopSettings("device.example")
        {
            Username = "ops",
            Password = "pw",
            LookForKeys = false,
            AllowAgent = false,
            LoggerFactory = log,
            MACs = "+hmac-md5,hmac-sha1",
        });

        Assert.DoesNotContain("hmac-md5", client.ConnectionInfo.HmacAlgorithms.Keys);
        Assert.Contains(log.Lines, line => line.Contains("MACs names hmac-md5, which SSH.NET does not implement", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, line => line.Contains("umac", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("+diffie-hellman-group15-sha1", "unknown algorithm")]
    [InlineData("-*", "leaves no algorithm")]
    public void A_bad_list_in_HopSettings_is_refused_at_construction_naming_the_host_and_setting(string spec, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new SshJumpClient(new HopSettings("device.example") { Username = "ops", Password = "pw", KexAlgorithms = spec }));

        Assert.Equal("KexAlgorithms", error.ParamName);
        Assert.Contains("device.example", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SSH_NETs_no_match_error_becomes_a_HopAlgorithmException_with_both_lists_escaped()
    {
        using var client = new SshJumpClient(new HopSettings("device.example") { Username = "ops", Password = "pw", LookForKeys = false, AllowAgent = false });
        var sshNet = new SshConnectionException("No matching host key algorithm (server offers ssh-rsa,evil\u001b[2J)", DisconnectReason.KeyExchangeFailed);

        var error = HopAlgorithms.Translate(sshNet, client.Hop, client.ConnectionInfo);

        Assert.NotNull(error);
        Assert.Equal("HostKeyAlgorithms", error.Option);
        Assert.Equal(HopStage.KeyExchange, error.Stage);
        Assert.Equal(DisconnectReason.KeyExchangeFailed, error.DisconnectReason);
        Assert.Equal(client.ConnectionInfo.HostKeyAlgorithms.Keys, error.ClientAlgorithms);
        Assert.Equal("ssh-rsa", error.ServerAlgorithms[0]);
        Assert.DoesNotContain('\u001b', error.ServerAlgorithms[1]);
        Assert.DoesNotContain('\u001b', error.Message);
        Assert.Contains("ops@device.example:22", error.Message, StringComparison.Ordinal);
        Assert.Contains("HostKeyAlgorithms", error.Message, StringComparison.Ordinal);
        Assert.Null(HopAlgorithms.Translate(new SshConnectionException("Connection reset"), client.Hop, client.ConnectionInfo));
    }

    private static (int ExitCode, string Output) RunSshG(string file)
    {
        var start = new ProcessStartInfo("ssh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "-G", "-F", file, "device" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(20_000), "ssh -G did not finish");
        return (process.ExitCode, output + error.Result);
    }

    private static string SshGValue(string file, string keyword)
    {
        var (exitCode, output) = RunSshG(file);
        Assert.True(exitCode == 0, output);
        return output.Split('\n').Select(line => line.Split(' ', 2)).Single(parts => parts[0] == keyword)[1].Trim();
    }
}
