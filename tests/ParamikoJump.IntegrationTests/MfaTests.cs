using System.Diagnostics;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>Every MFA variant of the lab, through real PAM modules.</summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class MfaTests(LabFixture fixture)
{
    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task Password_then_TOTP_arrive_as_two_rounds_and_the_handler_sees_both()
    {
        var bastion = Lab["bastion"];
        var secrets = bastion.Credentials("pjmfa");
        var rounds = new List<KeyboardInteractiveRound>();
        var handler = new RecordingHandler(rounds, new MagicAuthHandler([secrets.Password!], [secrets.Totp()]));

        using var client = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: "pjmfa",
            authHandler: handler, lookForKeys: false, allowAgent: false));

        var prompted = rounds.Where(r => r.Prompts.Count > 0).ToList();
        Assert.Equal(2, prompted.Count);
        Assert.StartsWith("Password", prompted[0].Prompts[0].Text, StringComparison.Ordinal);
        Assert.False(prompted[0].Prompts[0].IsEchoed);
        Assert.StartsWith("Verification code", prompted[1].Prompts[0].Text, StringComparison.Ordinal);
        Assert.All(rounds, r => Assert.Same(client.Hop, r.Hop));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_key_plus_TOTP_bastion_accepts_keys_and_a_handler_together()
    {
        var bastion = Lab["bastion-keymfa"];
        using var client = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: bastion.User,
            keyFilenames: [Lab.KeyFile("ed25519")], authHandler: new MagicAuthHandler([bastion.Credentials().Totp()]),
            lookForKeys: false, allowAgent: false));

        Assert.Equal(bastion.User, Hops.Run(client, "whoami"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Duo_push_approval_outlasts_the_connect_timeout_because_login_has_its_own_budget()
    {
        var duo = Lab["bastion-duo"];
        var secrets = duo.Credentials();
        var clock = Stopwatch.StartNew();

        using var client = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: duo.Host, port: duo.Port, username: duo.User,
            authHandler: new MagicAuthHandler([secrets.Password!], ["1"]), lookForKeys: false, allowAgent: false,
            timeout: TimeSpan.FromSeconds(secrets.DuoPushDelaySeconds - 1), authTimeout: TimeSpan.FromSeconds(60)));

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(secrets.DuoPushDelaySeconds), $"push approved after {clock.Elapsed}");
        Assert.Equal(duo.User, Hops.Run(client, "whoami"));
    }

    [Fact(Timeout = 60_000)]
    public Task Duo_push_approval_also_outlasts_the_connect_timeout_on_the_synchronous_path() => Task.Run(() =>
    {
        var duo = Lab["bastion-duo"];
        var secrets = duo.Credentials();

        using var client = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: duo.Host, port: duo.Port, username: duo.User,
            authHandler: new MagicAuthHandler([secrets.Password!], ["1"]), lookForKeys: false, allowAgent: false,
            timeout: TimeSpan.FromSeconds(secrets.DuoPushDelaySeconds - 1));
        client.Connect();

        Assert.True(client.IsConnected);
    }, TestContext.Current.CancellationToken);

    [Fact(Timeout = 60_000)]
    public async Task A_Duo_passcode_logs_in_at_once()
    {
        var duo = Lab["bastion-duo"];
        var secrets = duo.Credentials();
        var clock = Stopwatch.StartNew();

        using var client = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: duo.Host, port: duo.Port, username: duo.User,
            authHandler: new MagicAuthHandler([secrets.Password!], [secrets.DuoPasscode!]), lookForKeys: false, allowAgent: false));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(secrets.DuoPushDelaySeconds), $"passcode login took {clock.Elapsed}");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_push_slower_than_the_login_budget_is_a_timeout_at_the_authentication_stage()
    {
        var duo = Lab["bastion-duo"];
        var secrets = duo.Credentials();
        using var client = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: duo.Host, port: duo.Port, username: duo.User,
            authHandler: new MagicAuthHandler([secrets.Password!], ["1"]), lookForKeys: false, allowAgent: false,
            authTimeout: TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<HopTimeoutException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HopStage.Authentication, error.Stage);
        Assert.Equal(TimeSpan.FromSeconds(1), error.Budget);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_wrong_code_is_an_authentication_failure_naming_the_methods()
    {
        var bastion = Lab["bastion"];
        var secrets = bastion.Credentials("pjmfa");
        using var client = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: "pjmfa",
            authHandler: new MagicAuthHandler([secrets.Password!], [WrongCode(secrets)]), lookForKeys: false, allowAgent: false);

        var error = await Assert.ThrowsAsync<HopAuthenticationException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Contains("keyboard-interactive", error.TriedMethods);
        Assert.Contains("keyboard-interactive", error.AllowedMethods);
        Assert.Contains($"pjmfa@{bastion.Host}:{bastion.Port}", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_reused_code_is_refused_when_the_server_forbids_reuse()
    {
        var bastion = Lab["bastion"];
        var secrets = bastion.Credentials("pjmfa-noreuse");
        var code = secrets.Totp();
        SshJumpClient Login() => new(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: "pjmfa-noreuse",
            authHandler: new MagicAuthHandler([secrets.Password!], [code]), lookForKeys: false, allowAgent: false);

        using (await Hops.ConnectAsync(Login()))
        {
        }

        using var second = Login();
        var error = await Assert.ThrowsAsync<HopAuthenticationException>(() => second.ConnectAsync(TestContext.Current.CancellationToken));
        Assert.Contains("keyboard-interactive", error.TriedMethods);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_handler_that_runs_out_fails_with_round_and_prompt()
    {
        var bastion = Lab["bastion"];
        using var client = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: "pjmfa",
            authHandler: new MagicAuthHandler([bastion.Credentials("pjmfa").Password!]), lookForKeys: false, allowAgent: false);

        var error = await Assert.ThrowsAsync<KeyboardInteractiveException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.StartsWith("Verification code", error.Prompt, StringComparison.Ordinal);
        Assert.Equal(HopStage.Authentication, error.Stage);
        Assert.False(client.IsConnected);
    }

    private static string WrongCode(LabUser secrets)
    {
        // Any code outside the server's window of three steps.
        var valid = Enumerable.Range(-2, 5).Select(step => Totp.Compute(secrets.TotpSecret!, DateTimeOffset.UtcNow, step)).ToHashSet();
        return Enumerable.Range(0, 1000).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }

    private sealed class RecordingHandler(List<KeyboardInteractiveRound> rounds, IKeyboardInteractiveHandler inner) : IKeyboardInteractiveHandler
    {
        public IReadOnlyList<string> Respond(KeyboardInteractiveRound round)
        {
            lock (rounds)
            {
                rounds.Add(round);
            }

            return inner.Respond(round);
        }
    }
}
