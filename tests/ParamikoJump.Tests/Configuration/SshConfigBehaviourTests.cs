using ParamikoJump.Configuration;
using ParamikoJump.HostKeys;

namespace ParamikoJump.Tests.Configuration;

/// <summary>What a user of SshConfig, JumpChain and SshDestination sees: parsed hops, errors with file and line, settings per hop.</summary>
public sealed class SshConfigBehaviourTests(ConfigFiles files) : IClassFixture<ConfigFiles>
{
    [Theory]
    [InlineData("bastion", null, "bastion", null)]
    [InlineData("ops@bastion:2222", "ops", "bastion", 2222)]
    [InlineData("ops@[fd00::5]:2200", "ops", "fd00::5", 2200)]
    [InlineData("[10.0.0.1]", null, "10.0.0.1", null)]
    [InlineData("ssh://deploy@edge.example:2022", "deploy", "edge.example", 2022)]
    [InlineData("ssh://a%40b@edge.example./", "a@b", "edge.example", null)]
    [InlineData("me@work@host:ssh", "me@work", "host", 22)]
    public void Jump_hosts_are_read_as_ssh_J_reads_them(string text, string? user, string host, int? port)
    {
        var hop = SshDestination.Parse(text);

        Assert.Equal(user, hop.User);
        Assert.Equal(host, hop.Host);
        Assert.Equal(port, hop.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("@host")]
    [InlineData("host:0")]
    [InlineData("host:99999")]
    [InlineData("fd00::5")]
    [InlineData("ssh://host/path")]
    [InlineData("ssh://[fd00::5]:22")]
    public void Malformed_jump_hosts_are_refused(string text)
    {
        Assert.Throws<FormatException>(() => SshDestination.Parse(text));
    }

    [Fact]
    public void A_J_list_keeps_its_order_none_is_empty_and_hops_print_as_ssh_G_prints_them()
    {
        var hops = SshDestination.ParseJumps("ops@bastion:2222,[fd00::5]:22,mid");

        Assert.Equal(["bastion", "fd00::5", "mid"], hops.Select(h => h.Host));
        Assert.Equal(["ops@bastion:2222", "[fd00::5]:22", "mid"], hops.Select(h => h.ToString()));
        Assert.Empty(SshDestination.ParseJumps("NONE"));
        Assert.Throws<FormatException>(() => SshDestination.ParseJumps("a,,b"));
    }

    [Fact]
    public void A_J_chain_calls_configure_for_every_hop_jumps_first_with_host_port_and_user_filled_in()
    {
        var seen = new List<string>();

        var plan = JumpChain.Plan("admin@db:2200", "ops@bastion:2222,mid", (name, hop) =>
        {
            seen.Add($"{name} {hop.Username ?? "-"}@{hop.Host}:{hop.Port}");
            hop.Password = "for-all";
        });

        Assert.Equal(["bastion ops@bastion:2222", "mid -@mid:22", "db admin@db:2200"], seen);
        Assert.All(plan, hop => Assert.Equal("for-all", hop.Password));
    }

    [Fact]
    public void A_bad_line_is_an_error_naming_the_file_and_line()
    {
        var file = files.Write("Host a\n  User ok\n\n  Port nine\n");

        var error = Assert.Throws<SshConfigException>(() => SshConfig.Load(file).Resolve("a"));

        Assert.Equal(file, error.FilePath);
        Assert.Equal(4, error.Line);
        Assert.StartsWith($"{file} line 4: Bad port 'nine'", error.Message, StringComparison.Ordinal);
        Assert.Equal(HopStage.Setup, error.Stage);
    }

    [Fact]
    public void Match_exec_is_refused_unless_allowed_and_the_error_names_the_command()
    {
        var config = SshConfig.Parse("Match exec \"test %h = a\"\n  User via-exec\n", "exec.conf");

        var error = Assert.Throws<SshConfigException>(() => config.Resolve("a"));
        config.AllowMatchExec = true;

        Assert.Contains("test a = a", error.Message, StringComparison.Ordinal);
        Assert.Contains("AllowMatchExec", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Line);
        Assert.Equal("via-exec", config.Resolve("a").User);
        Assert.NotEqual("via-exec", config.Resolve("b").User);
    }

    [Fact]
    public void A_ProxyCommand_other_than_ssh_W_is_refused_and_ssh_W_is_a_jump()
    {
        var config = SshConfig.Parse("""
            Host nc-host
              ProxyCommand nc %h %p
            Host w-host
              ProxyCommand ssh -q -l ops -W %h:%p gateway
            Host gateway
              Port 2022
            """);

        var refused = Assert.Throws<SshConfigException>(() => config.Resolve("nc-host"));
        var jump = Assert.Single(config.Resolve("w-host").Jumps);

        Assert.Contains("never runs a command", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, refused.Line);
        Assert.Equal(("gateway", "ops", 2022), (jump.Name, jump.User, jump.Port));
    }

    [Fact]
    public void A_loop_of_jumps_is_an_error_not_a_hang()
    {
        var config = SshConfig.Parse("Host a\n  ProxyJump b\nHost b\n  ProxyJump c:2200\nHost c\n  ProxyJump a\n");

        var error = Assert.Throws<SshConfigException>(() => config.Resolve("a"));

        Assert.Contains("loop", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Relative_Includes_of_a_user_file_are_under_the_home_ssh_directory()
    {
        var home = Path.Combine(files.Directory, "home-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(home, ".ssh", "conf.d"));
        File.WriteAllText(Path.Combine(home, ".ssh", "conf.d", "work.conf"), "Host work\n  HostName work.example\n");
        var config = SshConfig.Parse("Include conf.d/*.conf\nInclude ~/.ssh/missing\n");
        config.Account = new LocalAccount("me", home, "1000", "laptop.local", _ => null, _ => null);

        Assert.Equal("work.example", config.Resolve("work").HostName);
    }

    [Fact]
    public void Settings_from_the_config_carry_identities_switches_known_hosts_and_policy()
    {
        var key = files.Write("not really a key", "keys/id_test");
        var knownHosts = files.Write("", "kh/known_hosts");
        var config = SshConfig.Parse($"""
            Host db
              HostName db.internal
              User admin
              Port 2200
              IdentityFile {key}
              IdentityFile {files.Directory}/keys/missing_%h
              IdentitiesOnly yes
              PreferredAuthentications publickey,password
              KbdInteractiveAuthentication no
              UserKnownHostsFile {knownHosts}
              StrictHostKeyChecking accept-new
              HashKnownHosts yes
              ServerAliveInterval 20
              ServerAliveCountMax 0
              ConnectTimeout 9
              ForwardAgent yes
            """);

        var settings = config.Resolve("db").ToHopSettings();

        Assert.Equal(("db.internal", 2200, "admin"), (settings.Host, settings.Port, settings.Username));
        Assert.Equal([key], settings.KeyFilenames);
        Assert.False(settings.LookForKeys);
        Assert.True(settings.IdentitiesOnly);
        Assert.Equal(["publickey", "password"], settings.PreferredAuthentications);
        Assert.False(settings.KbdInteractiveAuthentication);
        Assert.Equal(knownHosts, settings.KnownHosts!.WritableFile);
        Assert.True(settings.KnownHosts.HashHostNames);
        Assert.IsType<AutoAddPolicy>(settings.HostKeyPolicy);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.KeepAliveInterval);
        Assert.Equal(1, settings.KeepAliveCountMax);
        Assert.Equal(TimeSpan.FromSeconds(9), settings.ConnectTimeout);
        Assert.Equal("yes", config.Resolve("db").OtherOptions["forwardagent"]);
        Assert.True(settings.ForwardAgent);
    }

    [Fact]
    public void SendEnv_adds_up_over_every_line_and_SetEnv_takes_its_first_line_as_ssh_does()
    {
        var config = SshConfig.Parse("""
            Host db
              SendEnv LANG LC_*
              SetEnv APP_MODE=batch REGION=eu-west
            Host *
              SendEnv PJ_*
              SetEnv APP_MODE=ignored
            """);

        var settings = config.Resolve("db").ToHopSettings();

        Assert.Equal(["LANG", "LC_*", "PJ_*"], settings.SendEnv);
        Assert.Equal(new Dictionary<string, string> { ["APP_MODE"] = "batch", ["REGION"] = "eu-west" }, settings.SetEnv);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("YES", true)]
    [InlineData("no", false)]
    [InlineData("false", false)]
    public void ForwardAgent_is_read_as_ssh_reads_the_flag_in_any_case_and_spelling(string value, bool forwarded)
    {
        // ssh -G prints "forwardagent yes" for true, True and YES alike.
        var settings = SshConfig.Parse($"Host db\n  ForwardAgent {value}\n").Resolve("db").ToHopSettings();

        Assert.Equal(forwarded, settings.ForwardAgent);
    }

    [Fact]
    public void Without_configuration_a_host_keeps_ParamikoJumps_defaults_and_refuses_unknown_host_keys()
    {
        var settings = SshConfig.Parse("").Resolve("plain").ToHopSettings();

        Assert.True(settings.LookForKeys);
        Assert.Equal(HopSettings.DefaultKeepAliveInterval, settings.KeepAliveInterval);
        Assert.Equal(HopSettings.DefaultConnectTimeout, settings.ConnectTimeout);
        Assert.IsType<RejectPolicy>(settings.HostKeyPolicy);
        Assert.False(settings.ForwardAgent);
    }

    [Theory]
    [InlineData("x;y")]
    [InlineData("-oProxyCommand=x")]
    [InlineData("a b")]
    public void Shell_characters_in_a_destination_are_refused_as_ssh_refuses_them(string host)
    {
        Assert.Throws<SshConfigException>(() => SshConfig.Parse("").Resolve(host));
    }
}
