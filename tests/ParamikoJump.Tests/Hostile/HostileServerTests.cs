using System.Diagnostics;
using ParamikoJump.HostKeys;
using ParamikoJump.Tests.HostKeys;

namespace ParamikoJump.Tests.Hostile;

/// <summary>
/// What a hostile or broken server can and cannot do to a client: its text reaches people and logs escaped, it
/// cannot hang a connect past its budgets, keep a command open forever, ask rounds without end, or flood memory.
/// Each test runs its own hostile_server.py on 127.0.0.1.
/// </summary>
public class HostileServerTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    [Fact(Timeout = 30_000)]
    public async Task Server_text_reaches_the_console_escaped_labelled_with_the_hop_and_the_handler_exactly()
    {
        using var server = HostileServer.Start("kbd-hostile");
        var console = new StringWriter();
        var recorder = new RecordingHandler(new SimpleAuthHandler(new StringReader("123456\n"), console));
        var logs = new ListLogger();
        var settings = server.Settings();
        settings.Password = null;
        settings.AuthHandler = recorder;
        settings.LoggerFactory = logs;
        using var client = new SshJumpClient(settings);

        await client.ConnectAsync(TestContext.Current.CancellationToken);

        // The exact characters that reach the console: every control and bidi character shown, none acted on.
        Assert.Equal(
            "Welcome\\x1b[2J\nAuthorized use only\\x1b]0;title\\x07\n"
            + "\\x1b[2J\\x1b[HEnter your SSH key passphrase for root@prod:\n"
            + "(victim@127.0.0.1) Code\\u202e:lave\\x1b[31m: \n",
            console.ToString());
        Assert.Equal("\x1b[2J\x1b[HEnter your SSH key passphrase for root@prod:\r", recorder.Rounds.Single().Instruction);
        Assert.Equal("Code\u202e:lave\x1b[31m: ", recorder.Rounds.Single().Prompts.Single().Text);
        Assert.StartsWith("Welcome\x1b[2J", recorder.Banners.Single(), StringComparison.Ordinal);
        Assert.Contains(logs.Lines, line => line.Contains("Code\\u202e:lave\\x1b[31m:", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, line => line.Contains("Authorized use only\\x1b]0;title\\x07", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, line => line.Any(IsControlOrBidi));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_error_about_a_prompt_carries_the_exact_prompt_but_shows_it_escaped()
    {
        using var server = HostileServer.Start("kbd-hostile");
        var settings = server.Settings();
        settings.Password = null;
        settings.AuthHandler = new MagicAuthHandler();
        using var client = new SshJumpClient(settings);

        var error = await Assert.ThrowsAsync<KeyboardInteractiveException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal("Code\u202e:lave\x1b[31m: ", error.Prompt);
        Assert.Contains("Code\\u202e:lave\\x1b[31m:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(error.ToString(), IsControlOrBidi);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_that_asks_rounds_without_end_is_left_at_the_round_limit()
    {
        using var server = HostileServer.Start("kbd-endless");
        var settings = server.Settings();
        settings.Password = null;
        settings.AuthHandler = new AnswerAnything();
        using var client = new SshJumpClient(settings);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<KeyboardInteractiveException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(51, error.Round);
        Assert.Contains("more than 50 keyboard-interactive rounds", error.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_that_hangs_up_in_the_middle_of_a_round_fails_the_connect_at_once()
    {
        using var server = HostileServer.Start("kbd-disconnect");
        var settings = server.Settings();
        settings.Password = null;
        settings.AuthHandler = new SlowHandler(TimeSpan.FromSeconds(10));
        using var client = new SshJumpClient(settings);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAnyAsync<Renci.SshNet.Common.SshException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.Equal(HopStage.Authentication, Assert.IsAssignableFrom<IHopFailure>(error).Stage);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("banner-trickle", false, HopStage.TcpConnect)]
    [InlineData("banner-trickle", true, HopStage.TcpConnect)]
    [InlineData("prebanner-endless", false, HopStage.TcpConnect)]
    [InlineData("prebanner-endless", true, HopStage.TcpConnect)]
    [InlineData("kex-stall", false, HopStage.KeyExchange)]
    [InlineData("kex-stall", true, HopStage.KeyExchange)]
    public async Task Every_connect_ends_within_its_budget_on_both_paths(string scenario, bool asynchronous, HopStage stage)
    {
        using var server = HostileServer.Start(scenario);
        var settings = server.Settings();
        settings.ConnectTimeout = Budget;
        settings.BannerTimeout = Budget;
        using var client = new SshJumpClient(settings);
        var watch = Stopwatch.StartNew();

        var error = asynchronous
            ? await Assert.ThrowsAsync<HopTimeoutException>(() => client.ConnectAsync(TestContext.Current.CancellationToken))
            : Assert.Throws<HopTimeoutException>(client.Connect);

        Assert.True(watch.Elapsed < Budget + TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Equal(stage, error.Stage);
        Assert.Equal(Budget, error.Budget);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_oversized_packet_is_refused_with_a_typed_error()
    {
        using var server = HostileServer.Start("oversized-packet");
        using var client = new SshJumpClient(server.Settings());

        var error = await Assert.ThrowsAsync<HopConnectionException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HopStage.KeyExchange, error.Stage);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_changed_host_key_is_refused_with_both_fingerprints()
    {
        using var server = HostileServer.Start("exec-silent");
        using var other = HostileServer.Start("exec-silent");
        var file = Path.Combine(TestDirectories.Create("pj-hostile-changed-"), "known_hosts");
        File.WriteAllText(file, $"[127.0.0.1]:{server.Port} {other.HostKey}\n");
        var knownHosts = new KnownHosts();
        knownHosts.LoadSystemHostKeys(file);
        var settings = server.Settings();
        settings.KnownHosts = knownHosts;
        using var client = new SshJumpClient(settings);

        var error = await Assert.ThrowsAsync<HostKeyMismatchException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Contains(error.Fingerprint, error.Message, StringComparison.Ordinal);
        Assert.Contains(error.ExpectedFingerprint, error.Message, StringComparison.Ordinal);
        Assert.NotEqual(error.Fingerprint, error.ExpectedFingerprint);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_command_whose_channel_never_closes_after_its_exit_status_ends_after_the_grace()
    {
        using var server = HostileServer.Start("exec-exit-no-close");
        using var client = new SshJumpClient(server.Settings());
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        var watch = Stopwatch.StartNew();

        var (_, stdout, _) = client.ExecCommand("anything");

        Assert.Equal("output\n", stdout.ReadToEnd());
        Assert.Equal(0, await stdout.Process.WaitForExitAsync(TestContext.Current.CancellationToken));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"took {watch.Elapsed}");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_command_timeout_names_the_timeout_that_fired()
    {
        using var server = HostileServer.Start("exec-silent");
        using var client = new SshJumpClient(server.Settings());
        await client.ConnectAsync(TestContext.Current.CancellationToken);

        var process = client.ExecCommand("never-ends", timeout: TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<HopTimeoutException>(() => process.WaitForExitAsync(TestContext.Current.CancellationToken));

        Assert.Equal(TimeSpan.FromSeconds(1), error.Budget);
        Assert.Contains("timeout of 1 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(HopStage.Session, error.Stage);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_flood_to_a_slow_reader_stops_at_the_output_limit_and_cancels_the_command()
    {
        const long limit = 2L * 1024 * 1024;
        using var server = HostileServer.Start("exec-flood", (512L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var settings = server.Settings();
        settings.MaxCommandOutputBuffer = limit;
        using var client = new SshJumpClient(settings);
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        var (_, stdout, _) = client.ExecCommand("flood");
        var buffer = new byte[64 * 1024];
        long read = 0;

        var error = await Assert.ThrowsAsync<CommandOutputLimitException>(async () =>
        {
            while (true)
            {
                var n = await stdout.ReadAsync(buffer, TestContext.Current.CancellationToken);
                Assert.NotEqual(0, n);
                read += n;
                await Task.Delay(64, TestContext.Current.CancellationToken); // about 1 MB/s
            }
        });

        Assert.Equal(limit, error.Limit);
        Assert.True(read <= limit + buffer.Length, $"read {read} bytes");
        Assert.True(client.IsConnected);
        await Assert.ThrowsAsync<CommandOutputLimitException>(() => stdout.Process.WaitForExitAsync(TestContext.Current.CancellationToken));
    }

    private static bool IsControlOrBidi(char c) => c is '\x1b' or '\r' or '\u202e' or '\x07';

    private sealed class RecordingHandler(SimpleAuthHandler inner) : IKeyboardInteractiveHandler, IAuthenticationBannerHandler
    {
        public List<KeyboardInteractiveRound> Rounds { get; } = [];

        public List<string> Banners { get; } = [];

        public IReadOnlyList<string> Respond(KeyboardInteractiveRound round)
        {
            Rounds.Add(round);
            return inner.Respond(round);
        }

        public void ShowBanner(HopIdentity hop, string banner)
        {
            Banners.Add(banner);
            inner.ShowBanner(hop, banner);
        }
    }

    private sealed class AnswerAnything : IKeyboardInteractiveHandler
    {
        public IReadOnlyList<string> Respond(KeyboardInteractiveRound round) => round.Prompts.Select(_ => "x").ToList();
    }

    private sealed class SlowHandler(TimeSpan delay) : AsyncKeyboardInteractiveHandler
    {
        public override async ValueTask<IReadOnlyList<string>> RespondAsync(KeyboardInteractiveRound round, CancellationToken cancellationToken)
        {
            await Task.Delay(delay, cancellationToken);
            return round.Prompts.Select(_ => "x").ToList();
        }
    }

    /// <summary>
    /// A server that answers every password with partial success and asks for a password again, for ever (OpenSSH
    /// never does): SSH.NET gives up at its partial-success limit, and a client built from the same ConnectionInfo
    /// gives up the same way, with SSH.NET's type and message, naming the hop.
    /// </summary>
    [Theory(Timeout = 30_000)]
    [InlineData(false)]
    [InlineData(true)]
    public Task Endless_partial_success_stops_at_SSH_NETs_limit_with_SSH_NETs_error(bool jumpClient) => Task.Run(() =>
    {
        using var server = HostileServer.Start("partial-endless");
        var info = new Renci.SshNet.ConnectionInfo("127.0.0.1", server.Port, "victim", new Renci.SshNet.PasswordAuthenticationMethod("victim", "pw"))
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        using var client = jumpClient ? new SshJumpClient(info, knownHosts: server.HostKeys) : new Renci.SshNet.SshClient(info);

        var error = Assert.ThrowsAny<Renci.SshNet.Common.SshAuthenticationException>(() =>
        {
            if (client is SshJumpClient ours)
            {
                ours.Connect();
            }
            else
            {
                client.Connect();
            }
        });

        Assert.StartsWith("Reached authentication attempt limit for method (password).", error.Message, StringComparison.Ordinal);
        Assert.Equal(jumpClient, error is IHopFailure { Stage: HopStage.Authentication });
    }, TestContext.Current.CancellationToken);
}
