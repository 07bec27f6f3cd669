using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// SSH.NET's own shell and forwarded ports on clients that sit behind jumps, against the lab's circuit: hop2 is
/// reached through hop1, and hop3's sshd (hop3.pjlab:22) is reachable from hop2's network only.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed partial class ShellAndForwardingTests(LabFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task A_shell_through_three_hops_runs_commands_and_answers()
    {
        using var circuit = await Hops.CircuitAsync(Lab, 4);
        using var shell = circuit[3].CreateShellStream("xterm", 120, 24, 800, 600, 4096);

        shell.WriteLine("echo marker-$((6*7)) $SSH_CONNECTION");
        var answer = shell.Expect(Marker(), Wait);

        Assert.NotNull(answer);
        var match = Marker().Match(answer);
        var hop4 = Lab["hop4"].Address;
        Assert.Equal(hop4, match.Groups["server"].Value);

        // The connection came from hop3, hop4's neighbour on its own network, not from this machine.
        var client = match.Groups["client"].Value;
        Assert.NotEqual(hop4, client);
        Assert.Equal(hop4[..hop4.LastIndexOf('.')], client[..client.LastIndexOf('.')]);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_local_forward_on_a_jumped_client_reaches_a_server_only_its_network_sees()
    {
        using var circuit = await Hops.CircuitAsync(Lab, 2);
        using var forward = new ForwardedPortLocal("127.0.0.1", 0, Lab["hop3"].Host, 22);
        circuit[1].AddForwardedPort(forward);
        forward.Start();

        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, (int)forward.BoundPort, TestContext.Current.CancellationToken);
        var banner = await ReadLineAsync(socket.GetStream());

        Assert.StartsWith("SSH-2.0-OpenSSH", banner, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_remote_forward_on_a_jumped_client_brings_a_connection_from_its_server_back_here()
    {
        using var circuit = await Hops.CircuitAsync(Lab, 2);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var forward = new ForwardedPortRemote("127.0.0.1", 0, "127.0.0.1", (uint)((IPEndPoint)listener.LocalEndpoint).Port);
        circuit[1].AddForwardedPort(forward);
        forward.Start();
        Assert.NotEqual(0u, forward.BoundPort);

        var command = Task.Run(
            () => Hops.Run(circuit[1], $"exec 3<>/dev/tcp/127.0.0.1/{forward.BoundPort}; echo ping-from-$(hostname -I | cut -d' ' -f1) >&3; read -r reply <&3; echo $reply"),
            TestContext.Current.CancellationToken);
        using var accepted = await listener.AcceptTcpClientAsync(TestContext.Current.CancellationToken);
        var stream = accepted.GetStream();
        var ping = await ReadLineAsync(stream);
        await stream.WriteAsync("pong\n"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Equal($"ping-from-{Lab["hop2"].Address}", ping);
        Assert.Equal("pong", await command);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_dynamic_SOCKS_forward_on_a_jumped_client_connects_to_names_its_server_resolves()
    {
        using var circuit = await Hops.CircuitAsync(Lab, 2);

        // A one-shot service on hop2's loopback that answers what it is sent in capitals. The client speaks first:
        // SSH.NET's SOCKS code can pass a server's first bytes (an SSH banner, say) on before its own SOCKS reply.
        using var service = circuit[1].ExecCommand(
            "python3 -c 'import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); s.listen(1); print(s.getsockname()[1], flush=True); "
            + "c, _ = s.accept(); c.sendall(c.recv(64).upper()); c.close()'");
        var port = int.Parse(service.Stdout.ReadLines().First(), System.Globalization.CultureInfo.InvariantCulture);
        using var forward = new ForwardedPortDynamic("127.0.0.1", 0);
        circuit[1].AddForwardedPort(forward);
        forward.Start();

        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, (int)forward.BoundPort, TestContext.Current.CancellationToken);
        var stream = socket.GetStream();
        await Socks5ConnectAsync(stream, "localhost", port);
        await stream.WriteAsync("through socks\n"u8.ToArray(), TestContext.Current.CancellationToken);

        Assert.Equal("THROUGH SOCKS", await ReadLineAsync(stream));
        Assert.Equal(0, service.WaitForExit());
    }

    [Fact(Timeout = 60_000)]
    public async Task A_forward_its_server_refuses_is_closed_and_the_log_says_why()
    {
        using var logs = new CapturingLoggerFactory();
        using var first = await Hops.ConnectAsync(Hops.PasswordBastion(Lab, "hop1"));
        var hop2 = Lab["hop2"];
        using var second = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: hop2.Host, username: hop2.User,
            password: hop2.Credentials().Password, lookForKeys: false, allowAgent: false, jumpSession: first, loggerFactory: logs));
        using var forward = new ForwardedPortLocal("127.0.0.1", 0, Lab["hop3"].Host, 2999);
        var forwardErrors = new List<Exception>();
        forward.Exception += (_, e) => forwardErrors.Add(e.Exception);
        second.AddForwardedPort(forward);
        forward.Start();

        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, (int)forward.BoundPort, TestContext.Current.CancellationToken);
        var read = await socket.GetStream().ReadAsync(new byte[16], TestContext.Current.CancellationToken);
        var line = await WaitForLogAsync(logs, "refused to open a channel");

        Assert.Equal(0, read); // SSH.NET closes the connection without a word...
        Assert.Empty(forwardErrors);
        Assert.Contains(second.Hop.ToString(), line, StringComparison.Ordinal); // ...the log names the hop and the server's reason
        Assert.Contains("connect failed: Connection refused (code 2)", line, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"marker-42 (?<client>[0-9.]+) \d+ (?<server>[0-9.]+) 22")]
    private static partial Regex Marker();

    private static async Task<string> WaitForLogAsync(CapturingLoggerFactory logs, string text)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (logs.Lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        throw new Xunit.Sdk.XunitException($"No log line with '{text}' in:\n{logs.All}");
    }

    /// <summary>RFC 1928: no authentication, then CONNECT to a domain name the proxy resolves.</summary>
    internal static async Task Socks5ConnectAsync(NetworkStream stream, string host, int port)
    {
        var token = TestContext.Current.CancellationToken;
        await stream.WriteAsync(new byte[] { 5, 1, 0 }, token);
        var choice = new byte[2];
        await stream.ReadExactlyAsync(choice, token);
        Assert.Equal(new byte[] { 5, 0 }, choice);

        var name = Encoding.ASCII.GetBytes(host);
        var request = new byte[] { 5, 1, 0, 3, (byte)name.Length }.Concat(name).Concat(new[] { (byte)(port >> 8), (byte)port }).ToArray();
        await stream.WriteAsync(request, token);
        var head = new byte[4];
        await stream.ReadExactlyAsync(head, token);
        Assert.Equal(0, head[1]); // succeeded
        var addressLength = head[3] switch
        {
            1 => 4,
            4 => 16,
            _ => stream.ReadByte(),
        };
        await stream.ReadExactlyAsync(new byte[addressLength + 2], token);
    }

    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one, TestContext.Current.CancellationToken) == 1 && one[0] != '\n')
        {
            line.Add(one[0]);
        }

        return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
    }
}
