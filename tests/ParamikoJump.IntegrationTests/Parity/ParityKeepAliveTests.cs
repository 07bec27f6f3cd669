using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ParamikoJump.IntegrationTests.Parity;

/// <summary>
/// A server that stops answering (its connection's sshd process stopped with SIGSTOP: the TCP connection stays up,
/// the kernel still takes the bytes, nothing answers), with keep-alive every second as each library is told to do
/// it: SSH.NET's <see cref="BaseClient.KeepAliveInterval"/> on its plain client, <see cref="HopSettings.KeepAliveInterval"/>
/// on the jump client. What each one then reports (IsConnected, ErrorOccurred, the next call's exception) is pinned
/// here; the difference is deliberate and listed in the README.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class ParityKeepAliveTests(LabFixture fixture, ParityJump jump) : IClassFixture<ParityJump>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Well past the jump client's verdict (3 unanswered requests a second apart).</summary>
    private static readonly TimeSpan Observed = TimeSpan.FromSeconds(10);

    /// <summary>How long SSH.NET's plain client is watched for noticing: six of its keep-alives, past the jump client's verdict.</summary>
    private static readonly TimeSpan PlainObserved = TimeSpan.FromSeconds(6);

    public static TheoryData<Route> Routes => [Route.Plain, Route.Jump];

    [Theory(Timeout = 120_000), MemberData(nameof(Routes))]
    public async Task A_server_that_stops_answering(Route route)
    {
        var side = await jump.SideAsync(fixture.Lab, route);
        var info = side.AnyUser();
        info.Timeout = TimeSpan.FromSeconds(5);
        using var ssh = route == Route.Plain
            ? new SshClient(info) { KeepAliveInterval = Interval }
            : new SshJumpClient(
                new HopSettings(side.Server.Host)
                {
                    Port = side.Server.Port, Username = "pjpar-any", Password = side.Password("pjpar-any"), LookForKeys = false, AllowAgent = false,
                    KnownHosts = Hops.KnownHostsOf(side.Lab), KeepAliveInterval = Interval, KeepAliveCountMax = 3, ChannelTimeout = info.Timeout,
                },
                side.Jump);
        ParitySide.Connect(ssh);
        var errors = new ConcurrentQueue<Exception>();
        ssh.ErrorOccurred += (_, e) => errors.Enqueue(e.Exception);
        var sessionProcess = int.Parse(ssh.RunCommand("echo $PPID").Result.Trim(), CultureInfo.InvariantCulture);

        Signal("STOP", sessionProcess);
        try
        {
            var watch = Stopwatch.StartNew();
            using var disconnected = new SemaphoreSlim(0);
            var observed = route == Route.Plain ? PlainObserved : Observed;
            while (ssh.IsConnected && watch.Elapsed < observed)
            {
                await disconnected.WaitAsync(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
            }

            var noticedAfter = watch.Elapsed;
            var next = Assert.ThrowsAny<SshException>(() => ssh.RunCommand("true"));

            if (route == Route.Plain)
            {
                // SSH.NET's keep-alive is an SSH_MSG_IGNORE that expects no answer: nothing notices, and the next call
                // waits out ConnectionInfo.Timeout.
                Assert.True(ssh.IsConnected, "SSH.NET noticed the silent server");
                Assert.Empty(errors);
                Assert.IsType<SshOperationTimeoutException>(next);
                Assert.Equal("Session operation has timed out", next.Message);
            }
            else
            {
                // The jump client asks for an answer, declares the server dead after 3 unanswered requests and cuts the
                // connection: IsConnected turns false and SSH.NET's own calls (RunCommand is SSH.NET's) fail at once with
                // SSH.NET's SshConnectionException; the jump client's own calls name the silent hop.
                Assert.False(ssh.IsConnected, $"still connected after {noticedAfter}");
                Assert.InRange(noticedAfter, TimeSpan.FromSeconds(2), Observed);
                Assert.IsType<SshConnectionException>(next);
                var dead = Assert.Throws<HopUnresponsiveException>(() => ((SshJumpClient)ssh).ExecCommand("true"));
                Assert.Equal(((SshJumpClient)ssh).Hop, dead.Hop);
                Assert.Contains(errors, error => error is SshConnectionException);
            }
        }
        finally
        {
            Signal("CONT", sessionProcess);
        }
    }

    private static void Signal(string signal, int process)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", process.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
