using System.Diagnostics;
using System.Globalization;
using ParamikoJump.Authentication;
using ParamikoJump.Configuration;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// Chains described once: the five-hop circuit from an ssh_config file with ProxyJump chains and from a -J string;
/// the MFA bastion answered by TotpSource and PromptHandler across many logins with the server refusing reused codes.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class ConfigChainTests(LabFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("paramikojump-lab-config-").FullName;

    private LabDescription Lab => fixture.Lab;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact(Timeout = 120_000)]
    public async Task The_five_hop_circuit_is_reached_from_a_config_file_each_jump_resolved_through_its_own_block()
    {
        var config = SshConfig.Load(WriteCircuitConfig());
        var plan = config.Resolve("hop5");
        var password = Lab["hop1"].Credentials().Password!;

        using var target = await config.ConnectAsync("hop5", (_, hop) => hop.Password = password, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["hop1", "hop2", "hop3", "hop4"], plan.Jumps.Select(j => j.Name));
        Assert.Equal("hop4", plan.ProxyJump);
        Assert.Equal(Lab["hop5"].Address, Hops.Run(target, "echo $SSH_CONNECTION").Split(' ')[2]);
        Assert.Equal(4, target.Hop.Depth);
        Assert.Equal($"pjhop@{Lab["hop5"].Host}:22 via pjhop@{Lab["hop4"].Host}:22 via pjhop@{Lab["hop3"].Host}:22 via pjhop@{Lab["hop2"].Host}:22 via pjhop@{Lab["hop1"].Host}:22", target.Hop.ToString());
    }

    [Fact(Timeout = 120_000)]
    public async Task A_flat_ProxyJump_list_in_the_config_reaches_the_same_fifth_hop_and_disposing_the_target_closes_every_hop()
    {
        var config = SshConfig.Load(WriteCircuitConfig());
        var password = Lab["hop1"].Credentials().Password!;

        var target = await config.ConnectAsync("hop5-flat", (_, hop) => hop.Password = password, cancellationToken: TestContext.Current.CancellationToken);
        var chain = Chain(target);
        Assert.Equal(5, chain.Count);
        Assert.All(chain, client => Assert.True(client.IsConnected));
        Assert.Equal(Lab["hop5"].Address, Hops.Run(target, "echo $SSH_CONNECTION").Split(' ')[2]);

        target.Dispose();

        Assert.All(chain, client => Assert.Throws<ObjectDisposedException>(() => client.RunCommand("true")));
    }

    [Fact(Timeout = 120_000)]
    public async Task The_five_hop_circuit_is_reached_from_a_J_string_in_one_call()
    {
        var hops = Enumerable.Range(1, 5).Select(n => Lab[$"hop{n}"]).ToList();
        var password = hops[0].Credentials().Password!;
        var jumps = string.Join(",", hops.Take(4).Select(h => $"{h.User}@{h.Host}:{h.Port}"));
        var named = new List<string>();

        using var target = await JumpChain.ConnectAsync($"{hops[4].User}@{hops[4].Host}", jumps, (name, hop) =>
        {
            named.Add(name);
            hop.Password = password;
            hop.KnownHosts = Hops.KnownHostsOf(Lab);
            hop.LookForKeys = false;
            hop.AllowAgent = false;
        }, TestContext.Current.CancellationToken);

        Assert.Equal(hops.Select(h => h.Host), named);
        Assert.Equal(hops[4].Address, Hops.Run(target, "echo $SSH_CONNECTION").Split(' ')[2]);
        Assert.Equal(5, Chain(target).Count);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_hop_that_fails_leaves_nothing_of_the_chain_connected()
    {
        var hops = Enumerable.Range(1, 3).Select(n => Lab[$"hop{n}"]).ToList();
        var password = hops[0].Credentials().Password!;
        var built = new List<HopSettings>();

        var error = await Assert.ThrowsAsync<HopAuthenticationException>(() => JumpChain.ConnectAsync($"pjhop@{hops[2].Host}", $"pjhop@{hops[0].Host},pjhop@{hops[1].Host}", (name, hop) =>
        {
            hop.Password = name == hops[2].Host ? "wrong-password" : password;
            hop.KnownHosts = Hops.KnownHostsOf(Lab);
            hop.LookForKeys = false;
            hop.AllowAgent = false;
            built.Add(hop);
        }, TestContext.Current.CancellationToken));

        Assert.Equal(hops[2].Host, error.Hop!.Host);
        Assert.Equal(2, error.Hop.Depth);
        Assert.DoesNotContain("wrong-password", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(3, built.Count);
    }

    [Fact(Timeout = 120_000)]
    public async Task Five_logins_in_a_row_to_the_MFA_bastion_are_answered_by_TOTP_and_prompt_rules_each_in_a_fresh_step()
    {
        var bastion = Lab["bastion"];
        var user = bastion.Credentials("pjmfa-fast");
        var totp = new TotpSource(user.TotpSecret!, period: TimeSpan.FromSeconds(user.TotpPeriod));
        var handler = new PromptHandler()
            .On("^Password:", user.Password!)
            .On("Verification code", totp);
        var config = SshConfig.Load(WriteConfig($"""
            Host mfa-bastion
              HostName {bastion.Host}
              Port {bastion.Port}
              User pjmfa-fast
              PubkeyAuthentication no
              PreferredAuthentications keyboard-interactive
              UserKnownHostsFile {Lab.KnownHosts}
              GlobalKnownHostsFile none
              StrictHostKeyChecking yes
            """));

        var steps = new List<long>();
        var clock = Stopwatch.StartNew();
        for (var login = 0; login < 5; login++)
        {
            using var client = await config.ConnectAsync("mfa-bastion", (_, hop) => hop.AuthHandler = handler, cancellationToken: TestContext.Current.CancellationToken);
            steps.Add(totp.TimeStep(DateTimeOffset.UtcNow));
            Assert.Equal("pjmfa-fast", Hops.Run(client, "whoami"));
        }

        // Five codes from five different steps: at least four step changes of 3 s each happened on the way.
        Assert.Equal(5, steps.Distinct().Count());
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(user.TotpPeriod * 3), $"five logins took {clock.Elapsed}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(40), $"five logins took {clock.Elapsed}");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_code_the_server_refuses_as_reused_makes_the_next_login_wait_for_the_next_step()
    {
        var bastion = Lab["bastion"];
        var user = bastion.Credentials("pjmfa-fast");
        var period = TimeSpan.FromSeconds(user.TotpPeriod);

        // Without reuse protection the source gives the same step's code twice: the server's DISALLOW_REUSE refuses the second.
        var naive = new TotpSource(user.TotpSecret!, period: period) { ReuseProtection = false };
        var handler = new PromptHandler().On("^Password:", user.Password!).On("Verification code", naive);
        SshJumpClient Login() => new(new HopSettings(bastion.Host)
        {
            Port = bastion.Port,
            Username = "pjmfa-fast",
            AuthHandler = handler,
            KnownHosts = Hops.KnownHostsOf(Lab),
            LookForKeys = false,
            AllowAgent = false,
        });

        HopAuthenticationException? refused = null;
        long refusedStep = 0;
        for (var attempt = 0; attempt < 4 && refused is null; attempt++)
        {
            await WaitForStepStart(naive, TestContext.Current.CancellationToken);
            var step = naive.TimeStep(DateTimeOffset.UtcNow);
            using (await Hops.ConnectAsync(Login()))
            {
            }

            using var second = Login();
            var error = await Record.ExceptionAsync(() => second.ConnectAsync(TestContext.Current.CancellationToken));
            if (naive.TimeStep(DateTimeOffset.UtcNow) == step)
            {
                refused = Assert.IsType<HopAuthenticationException>(error);
                refusedStep = step;
            }
        }

        Assert.NotNull(refused);
        Assert.Contains("keyboard-interactive", refused.TriedMethods);

        // The failed login reported its code refused: the next one waits for the next step and gets in.
        using var third = await Hops.ConnectAsync(Login());
        Assert.True(naive.TimeStep(DateTimeOffset.UtcNow) > refusedStep);
        Assert.Equal("pjmfa-fast", Hops.Run(third, "whoami"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_config_chain_through_the_MFA_bastion_gives_each_hop_its_own_handler()
    {
        var bastion = Lab["bastion"];
        var user = bastion.Credentials("pjmfa-fast");
        var target = Lab["target-password"];
        var config = SshConfig.Load(WriteConfig($"""
            Host mfa-bastion
              HostName {bastion.Host}
              User pjmfa-fast
            Host db
              HostName {target.Host}
              User {target.User}
              ProxyJump mfa-bastion
            Host *
              PubkeyAuthentication no
              UserKnownHostsFile {Lab.KnownHosts}
              GlobalKnownHostsFile none
            """));
        var handlers = new Dictionary<string, IKeyboardInteractiveHandler>
        {
            ["mfa-bastion"] = new PromptHandler().On("^Password:", user.Password!).On("Verification code", new TotpSource(user.TotpSecret!, period: TimeSpan.FromSeconds(user.TotpPeriod))),
        };

        using var db = await config.ConnectAsync("db", (name, hop) =>
        {
            if (handlers.TryGetValue(name, out var handler))
            {
                hop.AuthHandler = handler;
            }
            else
            {
                hop.Password = target.Credentials().Password;
            }
        }, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(target.User, Hops.Run(db, "whoami"));
        Assert.Equal($"{target.User}@{target.Host}:22 via pjmfa-fast@{bastion.Host}:22", db.Hop.ToString());
    }

    private static List<SshJumpClient> Chain(SshJumpClient target)
    {
        var chain = new List<SshJumpClient>();
        for (SshClient? client = target; client is SshJumpClient hop; client = hop.JumpSession)
        {
            chain.Add(hop);
        }

        return chain;
    }

    private static async Task WaitForStepStart(TotpSource source, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var next = DateTimeOffset.FromUnixTimeSeconds(0) + TimeSpan.FromTicks(source.Period.Ticks * (source.TimeStep(now) + 1));
        await Task.Delay(next - now + TimeSpan.FromMilliseconds(50), cancellationToken);
    }

    /// <summary>The circuit: each hop's own block names its jump (recursive), and hop5-flat lists the four jumps.</summary>
    private string WriteCircuitConfig()
    {
        var text = new System.Text.StringBuilder();
        for (var n = 1; n <= 5; n++)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Host hop{n}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  HostName {Lab[$"hop{n}"].Host}");
            if (n > 1)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  ProxyJump hop{n - 1}");
            }
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"""
            Host hop5-flat
              HostName {Lab["hop5"].Host}
              ProxyJump hop1,hop2,hop3,hop4
            Host hop*
              User pjhop
              PubkeyAuthentication no
              UserKnownHostsFile {Lab.KnownHosts}
              GlobalKnownHostsFile none
              StrictHostKeyChecking yes
              ServerAliveInterval 10
            """);
        return WriteConfig(text.ToString());
    }

    private string WriteConfig(string text)
    {
        var path = Path.Combine(_directory, $"config-{Guid.NewGuid():N}");
        File.WriteAllText(path, text);
        return path;
    }
}
