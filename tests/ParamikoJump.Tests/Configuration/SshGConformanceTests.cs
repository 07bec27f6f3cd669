namespace ParamikoJump.Tests.Configuration;

/// <summary>Hand-written configurations: what we resolve for every keyword we support equals what ssh -G prints.</summary>
public sealed class SshGConformanceTests(ConfigFiles files) : IClassFixture<ConfigFiles>
{
    public static TheoryData<string, string[]> Configs { get; } = new()
    {
        {
            """
            # A bastion, two internal hosts behind it, and defaults for all.
            Host bastion
                HostName 10.231.1.1
                User ops
                Port 2222
                IdentityFile ~/.ssh/bastion_ed25519
                IdentitiesOnly yes

            Host db web
                HostName %h.internal.example
                ProxyJump bastion
                User admin

            Host *
                ServerAliveInterval 1m30s
                ServerAliveCountMax 5
                StrictHostKeyChecking accept-new
                UserKnownHostsFile ~/.ssh/known_hosts_%h %d/.ssh/all_known_hosts
            """,
            ["bastion", "db", "web", "other", "BASTION", "ops@db"]
        },
        {
            """
            Host *.prod !jump.prod
                ProxyJump jump.prod
            Host jump.prod
                ProxyJump ops@[fd00::5]:2200,ssh://deploy@edge.example:2022
                User jumper
            Host fd00::5
                User v6
            Host edge.example
                Port 2222
            """,
            ["db.prod", "jump.prod", "web.prod", "fd00::5"]
        },
        {
            """
            Host a b c
                ProxyJump none
                ProxyCommand ssh -W %h:%p gateway
            Host gateway
                User gate
                ProxyJump none
            Host *
                ProxyJump gateway
                User everyone
            """,
            ["a", "d", "gateway"]
        },
        {
            """
            Match originalhost short
                HostName short.long.example
            Match host *.long.example
                Port 2022
            Match final host short.long.example
                User finally
            Match canonical
                ConnectTimeout 7
            Host short
                User ignored-because-final-came-later
            Match user nobody-here
                Port 1
            Match !user nobody-here localuser *
                PreferredAuthentications publickey,keyboard-interactive
            Match all
                HashKnownHosts yes
            """,
            ["short", "other"]
        },
        {
            """
            IgnoreUnknown UseKeychain,AddKeysToAgentX
            UseKeychain yes
            Host *
              PubkeyAuthentication host-bound
              PasswordAuthentication no
              KbdInteractiveAuthentication=no
              ChallengeResponseAuthentication yes
              CertificateFile ~/.ssh/id_ed25519-cert.pub
              CertificateFile "/tmp/with space/cert.pub"
              IdentityFile %d/.ssh/id_%r@%h:%p
              IdentityFile ~/.ssh/id_%u
              GlobalKnownHostsFile none
              HostKeyAlias Alias.Example
              ForwardAgent yes
              Ciphers aes128-ctr
            """,
            ["x", "deploy@y"]
        },
        {
            """
            Host first
              User one
            Host first second
              User two
              Port 2200
              Port 22
            Host *
              ConnectTimeout none
              ConnectTimeout 12
              StrictHostKeyChecking off
            """,
            ["first", "second"]
        },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Resolves_as_ssh_G_does(string config, string[] hosts)
    {
        var file = files.Write(config);

        foreach (var destination in hosts)
        {
            var at = destination.LastIndexOf('@');
            var differences = ConfigFiles.Differences(file, at < 0 ? destination : destination[(at + 1)..], at < 0 ? null : destination[..at]);
            Assert.True(differences.Count == 0, string.Join("\n", differences));
        }
    }

    [Fact]
    public void Include_reads_globbed_files_in_order_and_a_Match_inside_does_not_leak_out()
    {
        files.Write("Host inc*\n  User from-a\nMatch all\n  Port 2001\n", "conf.d/a.conf");
        files.Write("Host *\n  User from-b\n  HostName b.example\n", "conf.d/b.conf");
        files.Write("Port 9999\n", "conf.d/.hidden.conf");
        var main = files.Write($"""
            Host incl
              Include {files.Directory}/conf.d/*.conf
              ServerAliveInterval 5
            Host other
              Include {files.Directory}/conf.d/missing-*.conf
            Host *
              ConnectTimeout 3
            """);

        foreach (var host in new[] { "incl", "other", "included" })
        {
            var differences = ConfigFiles.Differences(main, host);
            Assert.True(differences.Count == 0, string.Join("\n", differences));
        }
    }

    [Theory]
    [InlineData("ops@bastion:2222,ops@mid")]
    [InlineData("ssh://ops@bastion:2222,[fd00::1]:22,10.0.0.1")]
    [InlineData("none")]
    [InlineData("a,b,c,d")]
    public void A_J_list_on_the_command_line_takes_the_place_of_ProxyJump_and_each_jump_is_resolved_through_its_own_block(string jumps)
    {
        var file = files.Write("""
            Host bastion
              HostName 10.0.0.2
              User b-user
            Host mid
              ProxyJump should-be-overridden
            Host *
              ProxyJump default-jump
            """);

        var differences = ConfigFiles.Differences(file, "target", jumps: jumps);

        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [Fact]
    public void Match_exec_runs_only_when_allowed_and_agrees_with_ssh()
    {
        var file = files.Write("""
            Match exec "test %h = yes-host"
              User exec-user
            Match host other exec false
              Port 2022
            Match exec true
              Port 2023
            """);

        foreach (var host in new[] { "yes-host", "other" })
        {
            var differences = ConfigFiles.Differences(file, host);
            Assert.True(differences.Count == 0, string.Join("\n", differences));
        }
    }
}
