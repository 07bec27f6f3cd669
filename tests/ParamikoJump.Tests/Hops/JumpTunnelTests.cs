using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ParamikoJump.Hops;
using ParamikoJump.Keys;
using ParamikoJump.Tests.Keys;

namespace ParamikoJump.Tests.Hops;

/// <summary>
/// The TCP fallback's forward against a real jump (the throwaway sshd on 127.0.0.1, forwarding to itself): what it
/// serves and what it refuses, with sockets made the way a stranger on the same machine would make them.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class JumpTunnelTests(RealSshdKeyLoginTests.Server server) : IClassFixture<RealSshdKeyLoginTests.Server>
{
    private static readonly TimeSpan ReadBudget = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 60_000)]
    public async Task The_TCP_fallback_serves_the_hops_own_socket_and_refuses_one_from_127_0_0_2_with_the_hops_port()
    {
        using var jump = await ConnectedJump();
        using var tunnel = JumpTunnel.OpenTcp(jump, Hop(), NullLogger.Instance);
        tunnel.KnowsHopSocket(true);
        tunnel.PrepareAttempt();

        // As SSH.NET makes it: a dual-mode socket, bound to loopback before it connects (Hop.OnSocketCreated).
        using var hop = new Socket(SocketType.Stream, ProtocolType.Tcp);
        hop.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        tunnel.ExpectConnectionFrom(hop);
        var hopPort = ((IPEndPoint)hop.LocalEndPoint!).Port;
        using var sameAddress = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var samePort = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        samePort.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), hopPort));

        // Both strangers arrive before the hop's own connection: the forward holds them until it knows the hop's socket.
        await samePort.ConnectAsync(IPAddress.Loopback, tunnel.LocalPort, TestContext.Current.CancellationToken);
        await sameAddress.ConnectAsync(IPAddress.Loopback, tunnel.LocalPort, TestContext.Current.CancellationToken);
        await hop.ConnectAsync(IPAddress.Loopback, tunnel.LocalPort, TestContext.Current.CancellationToken);

        Assert.StartsWith("SSH-2.0-OpenSSH", await FirstLine(hop), StringComparison.Ordinal);
        Assert.Equal(string.Empty, await FirstLine(samePort));
        Assert.Equal(string.Empty, await FirstLine(sameAddress));
        Assert.False(tunnel.SlotTaken);
        tunnel.Seal(hopConnected: true);
    }

    [Fact(Timeout = 60_000)]
    public async Task Where_the_hops_socket_is_unknown_a_taken_slot_tears_the_forward_down_and_closes_the_strangers_channel()
    {
        using var jump = await ConnectedJump();
        using var tunnel = JumpTunnel.OpenTcp(jump, Hop(), NullLogger.Instance);
        tunnel.KnowsHopSocket(false);
        tunnel.PrepareAttempt();
        var port = tunnel.LocalPort;

        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await stranger.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        var strangersBanner = await FirstLine(stranger);
        using var hop = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await hop.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        var hopsBanner = await FirstLine(hop);

        // Where only the connection's owning process can be checked, another socket of this same process (the same
        // user, out of scope) can still take the attempt's slot: the attempt fails and says so.
        Assert.StartsWith("SSH-2.0-OpenSSH", strangersBanner, StringComparison.Ordinal);
        Assert.Equal(string.Empty, hopsBanner);
        Assert.True(tunnel.SlotTaken);

        tunnel.Seal(hopConnected: false);

        Assert.Equal(string.Empty, await Rest(stranger));
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(async () => await late.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        Assert.Empty(jump.ForwardedPorts);

        // The next attempt gets its forward back, on the same port (the netstandard2.0 build dials that port).
        tunnel.PrepareAttempt();
        Assert.Equal(port, tunnel.LocalPort);
        Assert.Single(jump.ForwardedPorts);
    }

    [Fact(Timeout = 60_000)]
    public async Task Where_the_hops_socket_is_unknown_another_users_connection_arriving_first_is_refused_and_the_hops_own_is_served()
    {
        using var jump = await ConnectedJump();
        using var tunnel = JumpTunnel.OpenTcp(jump, Hop(), NullLogger.Instance);
        tunnel.KnowsHopSocket(false);
        tunnel.PrepareAttempt();

        // nobody's connection is accepted first, and closed by the forward before the jump opens a channel for it.
        using var stranger = await OtherUserConnection.OpenAsync(tunnel.LocalPort);
        Assert.Equal(0, await stranger.BytesReceivedOnceClosedAsync(ReadBudget));

        // As SSH.NET makes it (dual-mode), from this process: the attempt's slot is still free, so it is served.
        using var hop = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await hop.ConnectAsync(IPAddress.Loopback, tunnel.LocalPort, TestContext.Current.CancellationToken);
        Assert.StartsWith("SSH-2.0-OpenSSH", await FirstLine(hop), StringComparison.Ordinal);
        Assert.False(tunnel.SlotTaken);
        tunnel.Seal(hopConnected: true);
        Assert.Single(jump.ForwardedPorts);
    }

    [Fact(Timeout = 180_000)]
    public async Task With_the_hops_socket_hidden_a_target_connects_at_its_first_attempt_while_another_user_floods_its_forward_and_gets_no_byte()
    {
        using var jump = await ConnectedJump();
        var logs = new LinesLogged();
        var settings = new HopSettings("127.0.0.1")
        {
            Port = server.Port,
            Username = "root",
            Passphrase = KeyTestHops.Passphrase,
            KeyFilenames = [server.EncryptedEd25519],
            KeyEnvironment = new KeyEnvironment(null, null),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AuthTimeout = TimeSpan.FromSeconds(20),
            KnownHosts = server.HostKeys,
            ConnectionAttempts = 1,
            LoggerFactory = logs,
            HopSocketHiddenForTests = true,
        };
        using var target = new SshJumpClient(settings, jump);
        using var flood = OtherUserFlood.Start(target.ConnectionInfo.Port);

        // Connect again and again until nobody's flood has reached the forward during a connect (a refusal on the
        // ownership check is logged): each connect must succeed at its one attempt all the same.
        var connects = 0;
        while (!logs.Contains("does not come from a socket of this process") && connects < 40)
        {
            await target.ConnectAsync(TestContext.Current.CancellationToken);
            connects++;
            Assert.Equal("root", target.RunCommand("whoami").Result.Trim());
            target.Disconnect();
        }

        var (received, connections) = await flood.StopAsync();
        Assert.True(logs.Contains("does not come from a socket of this process"), $"nobody's {connections} connections never reached an armed forward in {connects} connects");
        Assert.Equal(0, received);
    }

    private HopIdentity Hop() => new("127.0.0.1", server.Port, "root", new HopIdentity("127.0.0.1", server.Port, "root"));

    private async Task<SshJumpClient> ConnectedJump()
    {
        server.Require();
        var jump = server.Client(new KeyEnvironment(null, null), keyFilenames: [server.EncryptedEd25519], passphrase: KeyTestHops.Passphrase);
        try
        {
            await jump.ConnectAsync(TestContext.Current.CancellationToken);
            return jump;
        }
        catch
        {
            jump.Dispose();
            throw;
        }
    }

    /// <summary>The first line the socket receives, or what arrived before it was closed (empty: closed without a byte).</summary>
    private static async Task<string> FirstLine(Socket socket)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        budget.CancelAfter(ReadBudget);
        var received = new StringBuilder();
        var buffer = new byte[1];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, budget.Token);
            }
            catch (SocketException)
            {
                read = 0;
            }

            if (read == 0 || buffer[0] == (byte)'\n')
            {
                return received.ToString().TrimEnd('\r');
            }

            received.Append((char)buffer[0]);
        }
    }

    /// <summary>Everything else the socket receives until it is closed.</summary>
    private static async Task<string> Rest(Socket socket)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        budget.CancelAfter(ReadBudget);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, budget.Token);
            }
            catch (SocketException)
            {
                return received.ToString();
            }

            if (read == 0)
            {
                return received.ToString();
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    /// <summary>nobody connects to one port again and again, reading whatever it is sent, until it is told to stop.</summary>
    private sealed class OtherUserFlood : IDisposable
    {
        private const string Script = """
            import signal, socket, sys, time
            port = int(sys.argv[1])
            received = connections = 0
            running = True
            def stop(*_):
                global running
                running = False
            signal.signal(signal.SIGTERM, stop)
            while running:
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=0.5)
                except OSError:
                    time.sleep(0.001)
                    continue
                connections += 1
                try:
                    s.settimeout(0.5)
                    while True:
                        data = s.recv(4096)
                        if not data:
                            break
                        received += len(data)
                except OSError:
                    pass
                s.close()
            print(received, connections, flush=True)
            """;

        private readonly Process _process;

        private OtherUserFlood(Process process) => _process = process;

        public static OtherUserFlood Start(int port)
        {
            var info = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "-u", "nobody", "--", "/usr/bin/python3", "-c", Script, port.ToString(CultureInfo.InvariantCulture) })
            {
                info.ArgumentList.Add(arg);
            }

            return new OtherUserFlood(Process.Start(info)!);
        }

        public async Task<(long Received, int Connections)> StopAsync()
        {
            // runuser passes SIGTERM on to the script, which prints its counts and exits.
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            var parts = (await _process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return (long.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }
    }

    /// <summary>Every log line of every category, formatted.</summary>
    private sealed class LinesLogged : ILoggerFactory, ILogger
    {
        private readonly List<string> _lines = [];

        public bool Contains(string text)
        {
            lock (_lines)
            {
                return _lines.Exists(l => l.Contains(text, StringComparison.Ordinal));
            }
        }

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception));
            }
        }

        public void Dispose()
        {
        }
    }
}
