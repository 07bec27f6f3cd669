using Microsoft.Extensions.Time.Testing;
using System.Net.Sockets;
using ParamikoJump.Hops;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ParamikoJump.Tests.Hops;

public sealed class ConnectAttemptsTests
{
    private static readonly SshConnectionException ClosedByServer = new("The connection to the remote server was closed before a valid SSH identification string was received.", DisconnectReason.ConnectionLost);

    [Fact]
    public void Only_a_connection_closed_before_the_banner_is_tried_again()
    {
        Assert.True(ConnectAttempts.ClosedBeforeBanner(new HopConnectionException("closed", TestHops.Target, HopStage.ChannelOpen, ClosedByServer)));
        Assert.True(ConnectAttempts.ClosedBeforeBanner(new HopConnectionException("reset", TestHops.Bastion, HopStage.TcpConnect, new SocketException((int)SocketError.ConnectionReset))));

        Assert.False(ConnectAttempts.ClosedBeforeBanner(new HopConnectionException("refused", TestHops.Bastion, HopStage.TcpConnect, new SocketException((int)SocketError.ConnectionRefused))));
        Assert.False(ConnectAttempts.ClosedBeforeBanner(new JumpChannelException("refused", TestHops.Target, "connect failed", 2, ClosedByServer)));
        Assert.False(ConnectAttempts.ClosedBeforeBanner(new HopTimeoutException("slow", TestHops.Target, HopStage.ChannelOpen, TimeSpan.FromSeconds(1), ClosedByServer)));
        Assert.False(ConnectAttempts.ClosedBeforeBanner(new HopConnectionException("kex", TestHops.Target, HopStage.KeyExchange, ClosedByServer)));
        Assert.False(ConnectAttempts.ClosedBeforeBanner(new HopAuthenticationException("no", TestHops.Target, ["password"], ["publickey"])));
        Assert.False(ConnectAttempts.ClosedBeforeBanner(new JumpNotConnectedException("lost", TestHops.Target)));
    }

    [Fact]
    public async Task Attempts_stop_at_the_setting_and_the_last_error_counts_them()
    {
        var clock = new FakeTimeProvider();
        var attempts = new ConnectAttempts(TestHops.Target, new HopSettings("db.internal") { ConnectionAttempts = 3, TimeProvider = clock }, TestHops.Timeouts(), throughJump: true);
        var error = new HopConnectionException("closed", TestHops.Target, HopStage.ChannelOpen, ClosedByServer);
        using var slot = await attempts.BeginAsync(TestContext.Current.CancellationToken);

        Assert.True(attempts.ShouldRetry(error, out var first));
        Assert.True(attempts.ShouldRetry(error, out var second));
        Assert.False(attempts.ShouldRetry(error, out _));

        Assert.InRange(first, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100));
        Assert.InRange(second, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(200));
        var final = Assert.IsType<HopConnectionException>(attempts.Final(error));
        Assert.Contains("closed the connection before sending its SSH banner, 3 times", final.Message, StringComparison.Ordinal);
        Assert.Contains($"the jump {TestHops.Bastion} reached it", final.Message, StringComparison.Ordinal);
        Assert.Same(ClosedByServer, final.InnerException);
    }

    [Fact]
    public async Task No_attempt_is_made_that_would_end_past_the_budget_before_the_banner()
    {
        var clock = new FakeTimeProvider();
        var attempts = new ConnectAttempts(TestHops.Target, new HopSettings("db.internal") { ConnectionAttempts = 100, TimeProvider = clock },
            TestHops.Timeouts(connect: TimeSpan.FromSeconds(30), banner: TimeSpan.FromSeconds(5)), throughJump: true);
        var error = new HopConnectionException("closed", TestHops.Target, HopStage.ChannelOpen, ClosedByServer);
        using var slot = await attempts.BeginAsync(TestContext.Current.CancellationToken);

        Assert.True(attempts.ShouldRetry(error, out _));
        clock.Advance(TimeSpan.FromSeconds(4.999));

        Assert.False(attempts.ShouldRetry(error, out _));
        Assert.Equal(2, attempts.Made);
    }

    [Fact]
    public async Task A_server_gets_at_most_the_set_number_of_connect_attempts_at_once_and_others_queue()
    {
        var hop = new HopIdentity("burst.internal", 22, "ops", TestHops.Bastion);
        var slots = new List<IDisposable>();
        for (var i = 0; i < 3; i++)
        {
            slots.Add(await ConnectSlots.EnterAsync(hop, 3, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        }

        var fourth = ConnectSlots.EnterAsync(hop, 3, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        var otherServer = await ConnectSlots.EnterAsync(new HopIdentity("burst.internal", 2222, "ops", TestHops.Bastion), 3, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        // No slot is free, so the fourth is queued on the server's semaphore as it returns; only a release completes it.
        Assert.False(fourth.IsCompleted);

        slots[0].Dispose();
        slots[0].Dispose();
        using (await fourth.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken))
        {
            var timedOut = await Assert.ThrowsAsync<HopTimeoutException>(() => ConnectSlots.EnterAsync(hop, 3, TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken));
            Assert.Contains("MaxConcurrentConnects is 3", timedOut.Message, StringComparison.Ordinal);
        }

        otherServer.Dispose();
        slots.ForEach(slot => slot.Dispose());
    }

    [Fact]
    public void The_server_is_its_endpoint_through_the_same_jumps_whatever_the_user()
    {
        var viaOne = new HopIdentity("Db.Internal", 22, "a", new HopIdentity("bastion", 22, "x"));
        var sameOtherUser = new HopIdentity("db.internal", 22, "b", new HopIdentity("bastion", 22, "y"));
        var viaOther = new HopIdentity("db.internal", 22, "a", new HopIdentity("bastion2", 22, "x"));

        Assert.Equal(ConnectSlots.Key(viaOne, 8), ConnectSlots.Key(sameOtherUser, 8), StringComparer.OrdinalIgnoreCase);
        Assert.NotEqual(ConnectSlots.Key(viaOne, 8), ConnectSlots.Key(viaOther, 8));
        Assert.NotEqual(ConnectSlots.Key(viaOne, 8), ConnectSlots.Key(viaOne, 4));
    }

    [Theory]
    [InlineData(nameof(HopSettings.ConnectionAttempts))]
    [InlineData(nameof(HopSettings.MaxConcurrentConnects))]
    public void Zero_attempts_or_slots_are_refused_by_name(string setting)
    {
        var settings = new HopSettings("bastion") { Password = "x" };
        typeof(HopSettings).GetProperty(setting)!.SetValue(settings, 0);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SshJumpClient(settings));

        Assert.Equal(setting, error.ParamName);
    }

    [Fact]
    public void Defaults_retry_and_queue()
    {
        var settings = new HopSettings("bastion");

        Assert.Equal(10, settings.ConnectionAttempts);
        Assert.Equal(8, settings.MaxConcurrentConnects);
    }
}
