using System.IO.Pipes;
using System.Net.Sockets;
using System.Runtime.Versioning;
using ParamikoJump.Keys;
using ParamikoJump.Keys.Agent;

namespace ParamikoJump.Tests.Keys;

/// <summary>
/// The agent over a Windows named pipe (OpenSSH for Windows' <c>\\.\pipe\openssh-ssh-agent</c>), run on Linux: .NET
/// serves a pipe name as a Unix socket, so a <see cref="NamedPipeServerStream"/> relaying to Debian's real ssh-agent
/// exercises the same client code a Windows machine runs. Windows' own pipe namespace is not exercised here.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class NamedPipeAgentTests(AgentTests.Keys keys) : IClassFixture<AgentTests.Keys>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(@"\\.\pipe\{0}")]
    [InlineData("//./pipe/{0}")]
    public async Task Keys_of_an_agent_behind_a_named_pipe_are_listed_and_sign(string pathFormat)
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Ed25519);
        await using var relay = PipeRelay.Start(agent.Socket);
        var client = new AgentClient(string.Format(System.Globalization.CultureInfo.InvariantCulture, pathFormat, relay.PipeName), Timeout);

        var identity = Assert.Single(client.ListIdentities());
        var signature = client.Sign(identity.Blob, "data"u8.ToArray(), 0);

        Assert.Equal("ssh-ed25519", identity.KeyType);
        Assert.NotNull(signature);
        Assert.True(relay.Connections >= 2, "each exchange opens a pipe connection of its own");
    }

    [Fact]
    public void A_pipe_no_agent_listens_on_is_an_IOException_within_the_timeout()
    {
        var client = new AgentClient($@"\\.\pipe\pj-no-agent-{Guid.NewGuid():N}", TimeSpan.FromMilliseconds(500));

        Assert.ThrowsAny<IOException>(() => client.ListIdentities());
    }

    [Theory]
    [InlineData(@"\\.\pipe\openssh-ssh-agent", "openssh-ssh-agent")]
    [InlineData("//./pipe/openssh-ssh-agent", "openssh-ssh-agent")]
    [InlineData(@"\\.\PIPE\pageant.user.abc", "pageant.user.abc")]
    [InlineData("/tmp/ssh-XXXX/agent.123", null)]
    [InlineData(@"\\.\pipe\", null)]
    [InlineData(@"C:\Users\me\agent.sock", null)]
    public void Pipe_paths_are_told_from_socket_paths(string path, string? pipeName) => Assert.Equal(pipeName, AgentSocket.PipeName(path));

    [Theory]
    [InlineData(null, true, null, true)]
    [InlineData("", true, null, true)]
    [InlineData(@"\\.\pipe\my-agent", true, @"\\.\pipe\my-agent", false)]
    [InlineData(null, false, null, false)]
    [InlineData("/run/user/1000/agent.sock", false, "/run/user/1000/agent.sock", false)]
    public void Without_SSH_AUTH_SOCK_Windows_searches_its_agents_and_other_systems_have_none(string? sshAuthSock, bool isWindows, string? socket, bool searches)
    {
        var search = new WindowsAgentSearch(WindowsAgentSearch.CandidatesFor(null), _ => false);

        var environment = KeyEnvironment.ForAgent(null, sshAuthSock, isWindows, () => search);

        Assert.Equal(socket, environment.AgentSocket);
        Assert.Equal(searches ? search : null, environment.AgentSearch);
    }

    /// <summary>A named pipe server that relays each connection to the agent's Unix socket, as a stand-in for Windows' agent service (or Pageant's pipe).</summary>
    internal sealed class PipeRelay : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly string _agentSocket;
        private Task _loop = Task.CompletedTask;
        private int _connections;

        private PipeRelay(string agentSocket, string pipeName)
        {
            _agentSocket = agentSocket;
            PipeName = pipeName;
        }

        public string PipeName { get; }

        public int Connections => Volatile.Read(ref _connections);

        /// <summary>Serves <paramref name="pipeName"/>, by default a fresh one.</summary>
        public static PipeRelay Start(string agentSocket, string? pipeName = null)
        {
            var relay = new PipeRelay(agentSocket, pipeName ?? "pj-test-agent-" + Guid.NewGuid().ToString("N")[..12]);
            var first = relay.NewServer();
            relay._loop = relay.ServeAsync(first);
            return relay;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopped while waiting for the next connection.
            }

            _stop.Dispose();
        }

        private NamedPipeServerStream NewServer() =>
            new(PipeName, PipeDirection.InOut, NamedPipeServerStream.MaxAllowedServerInstances, PipeTransmissionMode.Byte, PipeOptions.Asynchronous);

        private async Task ServeAsync(NamedPipeServerStream server)
        {
            while (true)
            {
                await server.WaitForConnectionAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                var next = NewServer();
                await RelayAsync(server);
                server = next;
            }
        }

        private async Task RelayAsync(NamedPipeServerStream pipe)
        {
            await using (pipe)
            {
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(_agentSocket), _stop.Token);
                await using var agent = new NetworkStream(socket, ownsSocket: false);
                var toAgent = CopyThenShutdown(pipe, agent, socket);
                var fromAgent = agent.CopyToAsync(pipe, _stop.Token);
                await Task.WhenAny(toAgent, fromAgent);
            }
        }

        private async Task CopyThenShutdown(Stream from, Stream to, Socket socket)
        {
            await from.CopyToAsync(to, _stop.Token);
            socket.Shutdown(SocketShutdown.Send);
        }
    }
}
