using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ParamikoJump.Authentication;
using ParamikoJump.Execution;
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

    [Theory(Timeout = 30_000)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task A_hostile_version_string_and_disconnect_reason_reach_no_log_line_and_no_exception_text_raw(bool asynchronous, bool givenConnectionInfo)
    {
        using var server = HostileServer.Start("hostile-disconnect");
        var logs = new EverythingLogged();
        var settings = server.Settings();
        settings.LoggerFactory = logs;
        settings.ConnectionAttempts = 1;
        var info = new Renci.SshNet.ConnectionInfo("127.0.0.1", server.Port, "victim", new Renci.SshNet.PasswordAuthenticationMethod("victim", "unused")) { LoggerFactory = logs };
        using var client = givenConnectionInfo ? new SshJumpClient(info, knownHosts: server.HostKeys) : new SshJumpClient(settings);

        var error = asynchronous
            ? await Assert.ThrowsAnyAsync<Renci.SshNet.Common.SshException>(() => client.ConnectAsync(TestContext.Current.CancellationToken))
            : Assert.ThrowsAny<Renci.SshNet.Common.SshException>(client.Connect);
        Assert.IsAssignableFrom<IHopFailure>(error);

        // SSH.NET's own lines (Trace and up) about the version and the disconnect arrived, escaped, on one line each.
        Assert.Contains(logs.Texts, t => t.Contains("Evil\\x1b]0;pwned\\x07\\u202eOpenSSH\\x1b[2J", StringComparison.Ordinal));
        Assert.Contains(logs.Texts, t => t.Contains("Bye\\x1b[31m\\u202eevil\\x1b]0;title\\x07\\x0d\\x0aforged log line\\x9b", StringComparison.Ordinal));
        Assert.Contains(logs.Categories, c => c.StartsWith("Renci.SshNet", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Texts, t => t.Any(IsRaw));
        Assert.DoesNotContain(logs.Messages, m => m.Contains('\n', StringComparison.Ordinal));
        Assert.Contains("Bye\\x1b[31m\\u202eevil", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(error.ToString(), IsRaw);
        Assert.DoesNotContain(error.Message, IsRaw);
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

    [Fact(Timeout = 30_000)]
    public async Task A_command_timeout_is_named_the_same_way_whatever_the_culture()
    {
        using var server = HostileServer.Start("exec-silent");
        using var client = new SshJumpClient(server.Settings());
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("de-DE");
        try
        {
            Assert.Equal("1,5", 1.5.ToString(System.Globalization.CultureInfo.CurrentCulture)); // the culture is really there
            var process = client.ExecCommand("never-ends", timeout: TimeSpan.FromSeconds(1.5));
            var error = await Assert.ThrowsAsync<HopTimeoutException>(() => process.WaitForExitAsync(TestContext.Current.CancellationToken));

            Assert.Contains("'never-ends' ran past its timeout of 1.5 s", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_flood_to_a_reader_that_stops_waits_at_the_window_and_then_arrives_whole()
    {
        const long total = 96L * 1024 * 1024;
        using var server = HostileServer.Start("exec-flood", total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = new SshJumpClient(server.Settings());
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var (_, stdout, _) = client.ExecCommand("flood");

        // Nothing read for 3 s: without flow control paramiko sends the whole 96 MiB in well under that.
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        var read = await Drain(stdout, pauseEvery: 0);

        Assert.Equal(total, read);
        Assert.Equal(0, await stdout.Process.WaitForExitAsync(TestContext.Current.CancellationToken));
        Assert.True(held < 2L * ParamikoJump.SshNet.ChannelWindows.Default, $"{held} bytes were held while nothing was read (window {ParamikoJump.SshNet.ChannelWindows.Default})");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_server_that_sends_past_the_window_fails_the_command_with_a_typed_error_and_bounded_memory()
    {
        using var server = HostileServer.Start("exec-flood-ignoring-window", (512L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = new SshJumpClient(server.Settings());
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var (_, stdout, _) = client.ExecCommand("flood");

        var error = await Assert.ThrowsAsync<ChannelWindowException>(() => stdout.Process.WaitForExitAsync(TestContext.Current.CancellationToken));
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        var fromReader = await Assert.ThrowsAsync<ChannelWindowException>(() => Drain(stdout, pauseEvery: 0));

        Assert.Same(error, fromReader);
        Assert.Equal(ParamikoJump.SshNet.ChannelWindows.Default, error.Window);
        Assert.Equal(HopStage.Session, error.Stage);
        Assert.Contains("'flood' on channel", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
        Assert.True(held < 2L * ParamikoJump.SshNet.ChannelWindows.Default, $"{held} bytes were held");
        Assert.True(client.IsConnected);
        Assert.Equal("flood", client.ExecCommand("flood").CommandText); // the session still opens channels
    }

    [Fact(Timeout = 60_000)]
    public async Task With_a_cap_a_server_that_ignores_the_window_is_read_up_to_the_cap_and_then_cancelled()
    {
        const long limit = 2L * 1024 * 1024;
        using var server = HostileServer.Start("exec-flood-ignoring-window", (512L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var settings = server.Settings();
        settings.MaxCommandOutputBuffer = limit;
        using var client = new SshJumpClient(settings);
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        var (_, stdout, _) = client.ExecCommand("flood");
        long read = 0;

        var error = await Assert.ThrowsAsync<CommandOutputLimitException>(async () => read = await Drain(stdout, pauseEvery: 1));

        Assert.Equal(limit, error.Limit);
        Assert.True(client.IsConnected);
        await Assert.ThrowsAsync<CommandOutputLimitException>(() => stdout.Process.WaitForExitAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_forward_whose_server_sends_past_the_window_ends_with_a_typed_error_on_the_forward_and_bounded_memory()
    {
        using var server = HostileServer.Start("forward-flood-ignoring-window", (512L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = new SshJumpClient(server.Settings());
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        using var forward = new Renci.SshNet.ForwardedPortLocal("127.0.0.1", 0, "service.internal", 80);
        var errors = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        forward.Exception += (_, e) => errors.TrySetResult(e.Exception);
        client.AddForwardedPort(forward);
        forward.Start();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        // The local reader never reads: the server keeps sending, past the window.
        using var local = new System.Net.Sockets.TcpClient();
        await local.ConnectAsync(System.Net.IPAddress.Loopback, (int)forward.BoundPort, TestContext.Current.CancellationToken);
        var error = Assert.IsType<ChannelWindowException>(await errors.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;

        Assert.Equal(ParamikoJump.SshNet.ChannelWindows.Default, error.Window);
        Assert.Equal(client.Hop, error.Hop);
        Assert.StartsWith($"{client.Hop}: A forwarded connection on channel", error.Message, StringComparison.Ordinal);
        Assert.True(held < 2L * ParamikoJump.SshNet.ChannelWindows.Default, $"{held} bytes were held");
        Assert.True(client.IsConnected);
        Assert.Equal(0, await DrainToEnd(local.GetStream())); // what was written before is there, then the end
    }

    /// <summary>
    /// SFTP: the server answers the first read with a DATA packet that announces 512 MiB, larger than the window can ever
    /// take whole and than an SFTP message may be, then sends it ignoring the window or keeping to it. The packet could
    /// never be parsed, so the window would never re-open for it: the download fails as soon as the length is read, not
    /// at the channel timeout (2 min here) after a server keeping to the window stalled, and memory stays bounded.
    /// </summary>
    [Theory(Timeout = 60_000)]
    [InlineData("sftp-flood-ignoring-window", false)]
    [InlineData("sftp-flood-ignoring-window", true)]
    [InlineData("sftp-huge-packet", false)]
    [InlineData("sftp-huge-packet", true)]
    public async Task An_SFTP_packet_the_window_can_never_take_fails_the_download_at_once_with_a_typed_error_and_bounded_memory(string scenario, bool asynchronous)
    {
        using var server = HostileServer.Start(scenario, FloodSize);
        var logs = new ListLogger();
        var settings = server.Settings();
        settings.ChannelTimeout = TimeSpan.FromMinutes(2);
        settings.LoggerFactory = logs;
        using var client = new SftpJumpClient(settings);
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ChannelWindowException>(() => asynchronous
            ? client.DownloadFileAsync("/f", Stream.Null, TestContext.Current.CancellationToken)
            : Task.Run(() => client.DownloadFile("/f", Stream.Null), TestContext.Current.CancellationToken));
        var elapsed = watch.Elapsed;
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;

        Assert.IsAssignableFrom<Renci.SshNet.Common.SshException>(error);
        Assert.Equal(ParamikoJump.SshNet.ChannelWindows.Default, error.Window);
        Assert.Equal(client.Hop, error.Hop);
        Assert.Equal(HopStage.Session, error.Stage);
        Assert.StartsWith($"{client.Hop}: An SFTP session on channel", error.Message, StringComparison.Ordinal);
        Assert.Contains($"announced an SFTP packet of {9 + 512 * 1024 * 1024} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, line => line.StartsWith($"Warning: Hop {client.Hop}: An SFTP session on channel", StringComparison.Ordinal) && line.Contains("announced an SFTP packet", StringComparison.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine($"failed after {elapsed.TotalSeconds:F2} s, managed heap {held / 1e6:F1} MB above its start");
        Assert.True(elapsed < TimeSpan.FromSeconds(15), $"took {elapsed}");
        Assert.True(held < 2L * ParamikoJump.SshNet.ChannelWindows.Default, $"{held} bytes were held");

        // The SFTP channel closes once the server answers the close (at most SSH.NET's ChannelCloseTimeout, 1 s): the
        // client then says it is not connected, and a later call fails at once, typed.
        Assert.True(SpinWait.SpinUntil(() => !client.IsConnected, TimeSpan.FromSeconds(10)), "the SFTP channel stayed open");
        Assert.IsAssignableFrom<IHopFailure>(Assert.ThrowsAny<Renci.SshNet.Common.SshConnectionException>(() => client.DownloadFile("/f", Stream.Null)));

        // Disconnect and Connect give a fresh SFTP session.
        client.Disconnect();
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        Assert.True(client.IsConnected);
        Assert.Equal("/", client.WorkingDirectory);
    }

    /// <summary>
    /// SCP: the server announces a 512 MiB file and sends it ignoring the window, into a destination that stalls: the
    /// window fills, the server sends past it, and the download fails as soon as the destination takes its next write.
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task An_SCP_server_that_sends_past_the_window_fails_the_download_with_a_typed_error_and_bounded_memory()
    {
        using var server = HostileServer.Start("scp-flood-ignoring-window", FloodSize);
        var violated = new WindowWarning();
        var settings = server.Settings();
        settings.ChannelTimeout = TimeSpan.FromMinutes(2);
        settings.LoggerFactory = violated;
        using var client = new ScpJumpClient(settings);
        await client.ConnectAsync(TestContext.Current.CancellationToken);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();

        // The destination takes nothing until the server has sent past the window.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var download = Task.Run(() => client.Download("f", new StalledDestination(release.Task)), TestContext.Current.CancellationToken);
        Assert.True(await violated.Seen.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        release.SetResult();
        var error = await Assert.ThrowsAsync<ChannelWindowException>(() => download);
        var elapsed = watch.Elapsed;

        Assert.IsAssignableFrom<Renci.SshNet.Common.SshException>(error);
        Assert.Equal(ParamikoJump.SshNet.ChannelWindows.Default, error.Window);
        Assert.Equal(client.Hop, error.Hop);
        Assert.StartsWith($"{client.Hop}: An SCP transfer on channel", error.Message, StringComparison.Ordinal);
        TestContext.Current.TestOutputHelper?.WriteLine($"failed after {elapsed.TotalSeconds:F2} s, managed heap {held / 1e6:F1} MB above its start");
        Assert.True(elapsed < TimeSpan.FromSeconds(15), $"took {elapsed}");
        Assert.True(held < 2L * ParamikoJump.SshNet.ChannelWindows.Default, $"{held} bytes were held");

        // Each SCP transfer has a channel of its own: the client stays connected and the next transfer runs (and meets the same server).
        Assert.True(client.IsConnected);
        var again = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = Task.Run(() => client.Download("f", new StalledDestination(again.Task)), TestContext.Current.CancellationToken);
        Assert.True(await violated.Seen.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        again.SetResult();
        await Assert.ThrowsAsync<ChannelWindowException>(() => second);
    }

    private static async Task<int> DrainToEnd(System.IO.Stream stream)
    {
        var buffer = new byte[64 * 1024];
        while (await stream.ReadAsync(buffer, TestContext.Current.CancellationToken) > 0)
        {
        }

        return 0;
    }

    /// <summary>Reads to the end; with <paramref name="pauseEvery"/> 1, about 1 MB/s.</summary>
    private static async Task<long> Drain(RemoteOutputStream stdout, int pauseEvery)
    {
        var buffer = new byte[64 * 1024];
        long read = 0;
        int n;
        while ((n = await stdout.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            read += n;
            if (pauseEvery > 0)
            {
                await Task.Delay(64, TestContext.Current.CancellationToken);
            }
        }

        return read;
    }

    private static readonly string FloodSize = (512L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsControlOrBidi(char c) => c is '\x1b' or '\r' or '\u202e' or '\x07';

    private static bool IsRaw(char c) => IsControlOrBidi(c) || c is '\x9b';

    /// <summary>
    /// Every logger SSH.NET and ParamikoJump ask for, at Trace: the formatted message, every value of the state, and
    /// the exception's ToString() and each of its causes' messages, as any logging provider might write them.
    /// </summary>
    private sealed class EverythingLogged : ILoggerFactory
    {
        private readonly List<string> _texts = [];
        private readonly List<string> _messages = [];
        private readonly List<string> _categories = [];

        public IReadOnlyList<string> Texts
        {
            get
            {
                lock (_texts)
                {
                    return _texts.ToArray();
                }
            }
        }

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_texts)
                {
                    return _messages.ToArray();
                }
            }
        }

        public IReadOnlyList<string> Categories
        {
            get
            {
                lock (_texts)
                {
                    return _categories.ToArray();
                }
            }
        }

        public ILogger CreateLogger(string categoryName)
        {
            lock (_texts)
            {
                _categories.Add(categoryName);
            }

            return new Logger(this);
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        private void Add(string message, IEnumerable<string> more)
        {
            lock (_texts)
            {
                _messages.Add(message);
                _texts.Add(message);
                _texts.AddRange(more);
            }
        }

        private sealed class Logger(EverythingLogged owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var more = new List<string>();
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    more.AddRange(values.Select(v => v.Value?.ToString() ?? ""));
                }

                more.Add(state?.ToString() ?? "");
                for (var cause = exception; cause is not null; cause = cause.InnerException)
                {
                    more.Add(cause.Message);
                }

                more.Add(exception?.ToString() ?? "");
                owner.Add(formatter(state, exception), more);
            }
        }
    }

    /// <summary>Releases <see cref="Seen"/> each time a hop logs that a server sent past a channel's window.</summary>
    private sealed class WindowWarning : ILoggerFactory, ILogger
    {
        public SemaphoreSlim Seen { get; } = new(0);

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name == "ChannelWindowIgnored")
            {
                Seen.Release();
            }
        }
    }

    /// <summary>A destination whose writes wait for <c>release</c> (at most 30 s), then drop the bytes.</summary>
    private sealed class StalledDestination(Task release) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => release.Wait(TimeSpan.FromSeconds(30));

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

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
