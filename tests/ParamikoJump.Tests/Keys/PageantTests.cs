using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using ParamikoJump.Keys;
using ParamikoJump.Keys.Agent;
using Renci.SshNet;
using static ParamikoJump.Tests.Keys.KeyTestHops;

namespace ParamikoJump.Tests.Keys;

/// <summary>
/// Pageant, PuTTY's agent, run on Linux where the code allows: the pipe name's derivation with a stand-in for
/// CryptProtectMemory, the search for Windows' agents, a Pageant pipe served by a <see cref="System.IO.Pipes.NamedPipeServerStream"/>
/// relaying to Debian's real ssh-agent, and the WM_COPYDATA protocol over a stand-in for the window and shared memory
/// (which also relays to the real agent). The Win32 calls themselves are not run here.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class PageantTests(AgentTests.Keys keys) : IClassFixture<AgentTests.Keys>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // Expected suffixes computed outside this code, from PuTTY's documented steps, with Python's hashlib:
    // sha256(b"\x00\x00\x00\x10" + b"Pageant" + b"\0" * 9).hexdigest(), and the same over each byte XOR 0x5A; the
    // padding cases below likewise (length = the string and its NUL rounded up to 16).
    private const string UnprotectedPageantSuffix = "2e9e7389b30cd8240bf15518e9a228d6537dc38d64b2070a189ca2fe5452d492";
    private const string XorProtectedPageantSuffix = "5299669a64d84c7b75f49602589f841104c8ac39473e6acb0d87721078e4265d";

    [Fact]
    public void The_pipe_name_is_the_user_and_the_hex_SHA256_of_the_padded_length_prefixed_protected_string()
    {
        var protector = new XorProtector();

        var path = PageantPipe.PathFor("alice", protector);

        Assert.Equal(@"\\.\pipe\pageant.alice." + XorProtectedPageantSuffix, path);
        Assert.Equal([16], protector.Lengths);
    }

    [Fact]
    public void When_CryptProtectMemory_fails_the_plain_padded_string_is_hashed_as_PuTTY_does()
    {
        Assert.Equal(@"\\.\pipe\pageant.bob." + UnprotectedPageantSuffix, PageantPipe.PathFor("bob", new FailingProtector()));
    }

    [Theory]
    [InlineData("", 16, "0d3fc7ca63979d9b01e0546b5523c37c6230cee3f3d053cd9b71f51ff98191b2")]
    [InlineData("0123456789abcde", 16, "d6de122f411168a85d1f1d02020e9e351d852dcb52bfff737467248c0e6ad9e7")]
    [InlineData("0123456789abcdef", 32, "f05f4fd745244f91f81ed1b724b73afff914bf8c5b7e3861193cf66bfd80c270")]
    public void The_string_and_its_NUL_are_padded_to_whole_16_byte_blocks(string text, int paddedLength, string suffix)
    {
        var protector = new XorProtector(key: 0);

        Assert.Equal(suffix, PageantPipe.ObfuscatedSuffix(text, protector));
        Assert.Equal([paddedLength], protector.Lengths);
    }

    [Fact]
    public void Windows_agents_are_searched_OpenSSH_first_then_Pageant_s_pipe_then_its_window()
    {
        Assert.Equal([@"\\.\pipe\openssh-ssh-agent", @"\\.\pipe\pageant.u.x", PageantWindow.Locator], WindowsAgentSearch.CandidatesFor(@"\\.\pipe\pageant.u.x"));
        Assert.Equal([@"\\.\pipe\openssh-ssh-agent", PageantWindow.Locator], WindowsAgentSearch.CandidatesFor(null));

        var candidates = WindowsAgentSearch.CandidatesFor(@"\\.\pipe\pageant.u.x");
        Assert.Equal(@"\\.\pipe\pageant.u.x", new WindowsAgentSearch(candidates, c => c != AgentSocket.WindowsOpenSshAgentPipe).Find());
        Assert.Equal(PageantWindow.Locator, new WindowsAgentSearch(candidates, c => c == PageantWindow.Locator).Find());
        Assert.Equal(AgentSocket.WindowsOpenSshAgentPipe, new WindowsAgentSearch(candidates, _ => true).Find());
    }

    [Fact]
    public void When_no_Windows_agent_runs_the_typed_error_names_each_one_tried()
    {
        var candidates = WindowsAgentSearch.CandidatesFor(@"\\.\pipe\pageant.u.x");

        var error = Assert.Throws<AgentUnavailableException>(() => new WindowsAgentSearch(candidates, _ => false).Find());

        Assert.Equal(candidates, error.Tried);
        Assert.Contains(@"\\.\pipe\openssh-ssh-agent, then \\.\pipe\pageant.u.x, then Pageant's window (WM_COPYDATA)", error.Message, StringComparison.Ordinal);
        Assert.Contains("SSH_AUTH_SOCK is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_login_without_SSH_AUTH_SOCK_finds_Pageant_s_pipe_and_its_keys_sign()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Ed25519);
        var user = "pj" + Guid.NewGuid().ToString("N")[..6];
        var pageantPipe = PageantPipe.PathFor(user, new XorProtector());
        await using var relay = NamedPipeAgentTests.PipeRelay.Start(agent.Socket, AgentSocket.PipeName(pageantPipe));
        var search = new WindowsAgentSearch(WindowsAgentSearch.CandidatesFor(pageantPipe), ServedOnLinux);
        var log = new ListLogger();

        var offer = Assert.Single(Setup(new KeyEnvironment(null, null, search), lookForKeys: false, log: log).Keys.Resolve());
        var signature = offer.Algorithm.Sign("data"u8.ToArray());

        Assert.Equal("ssh-agent key 'agent_ed25519'", offer.Source);
        Assert.True(Verifier(keys.Ed25519, "ssh-ed25519").VerifySignature("data"u8.ToArray(), signature));
        Assert.Contains(log.Lines, l => l.Contains($"SSH_AUTH_SOCK is not set; using the agent at {pageantPipe}, the first running of \\\\.\\pipe\\openssh-ssh-agent, then {pageantPipe}", StringComparison.Ordinal));
        Assert.True(relay.Connections >= 2, "listing and signing each connect to Pageant's pipe");
    }

    [Fact]
    public void A_login_without_SSH_AUTH_SOCK_and_no_agent_running_offers_no_agent_keys_and_logs_what_was_tried()
    {
        var search = new WindowsAgentSearch(WindowsAgentSearch.CandidatesFor(@"\\.\pipe\pageant.nobody.0"), _ => false);
        var log = new ListLogger();

        Assert.Empty(Setup(new KeyEnvironment(null, null, search), password: "pw", lookForKeys: false, log: log).Keys.Resolve());

        Assert.Contains(log.Lines, l => l.Contains("no keys from the ssh-agent at SSH_AUTH_SOCK: SSH_AUTH_SOCK is not set and no agent is running: tried \\\\.\\pipe\\openssh-ssh-agent, then \\\\.\\pipe\\pageant.nobody.0, then Pageant's window", StringComparison.Ordinal));
    }

    [Fact]
    public void Forwarding_without_SSH_AUTH_SOCK_uses_the_agent_found_and_with_none_running_is_off_with_what_was_tried()
    {
        var candidates = WindowsAgentSearch.CandidatesFor(@"\\.\pipe\pageant.u.x");
        var log = new ListLogger();

        var found = AgentForwarding.TryFindLocalAgent(new KeyEnvironment(null, null, new WindowsAgentSearch(candidates, c => c == PageantWindow.Locator)), "hop1", log, out var agent);
        var none = AgentForwarding.TryFindLocalAgent(new KeyEnvironment(null, null, new WindowsAgentSearch(candidates, _ => false)), "hop2", log, out var noAgent);

        Assert.True(found);
        Assert.Equal(PageantWindow.Locator, agent);
        Assert.False(none);
        Assert.Null(noAgent);
        Assert.Contains(log.Lines, l => l.Contains("Hop hop1: SSH_AUTH_SOCK is not set; using the agent at Pageant's window (WM_COPYDATA)", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains("Hop hop2: agent forwarding is on but not possible: SSH_AUTH_SOCK is not set and no agent is running: tried \\\\.\\pipe\\openssh-ssh-agent", StringComparison.Ordinal));
    }

    [Fact]
    public void Keys_are_listed_and_sign_through_Pageant_s_window_messages()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Ed25519);
        agent.Add(keys.Rsa);
        var windows = new FakePageantWindows { Answer = request => RelayTo(agent.Socket, request) };
        var client = new AgentClient(PageantWindow.Locator, () => new PageantWindowAgent(new PageantWindow(windows, Timeout)));

        var identities = client.ListIdentities();
        var rsa = identities.Single(i => i.KeyType == "ssh-rsa");
        var signature = client.Sign(rsa.Blob, "data"u8.ToArray(), AgentClient.RsaSha2512);

        Assert.Equal(["agent_ed25519", "agent_rsa"], identities.Select(i => i.Comment));
        Assert.NotNull(signature);
        Assert.True(Verifier(keys.Rsa, "rsa-sha2-512").VerifySignature("data"u8.ToArray(), signature));
        Assert.Equal(2, windows.Messages.Count);
        Assert.All(windows.Messages, m =>
        {
            Assert.Equal(0x804e50ba, m.DataId);
            Assert.Equal($"PageantRequest{windows.CurrentThreadId:x8}\0", m.Payload);
            Assert.Equal(256 * 1024, m.Capacity);
        });
    }

    [Fact]
    public void A_request_too_large_for_the_shared_memory_is_refused_before_Pageant_is_asked()
    {
        var windows = new FakePageantWindows { Answer = _ => throw new InvalidOperationException("not asked") };
        var pageant = new PageantWindow(windows, Timeout);

        var error = Assert.Throws<PageantWindowException>(() => pageant.Exchange(new byte[(256 * 1024) + 1]));

        Assert.Equal(PageantWindowFailure.RequestTooLarge, error.Failure);
        Assert.Contains("262145 bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(windows.Messages);
    }

    [Fact]
    public void No_Pageant_window_is_a_typed_error_and_through_the_agent_client_an_IOException()
    {
        var windows = new FakePageantWindows { WindowExists = false };
        var client = new AgentClient(PageantWindow.Locator, () => new PageantWindowAgent(new PageantWindow(windows, Timeout)));

        var error = Assert.Throws<PageantWindowException>(() => client.ListIdentities());

        Assert.Equal(PageantWindowFailure.NoWindow, error.Failure);
        Assert.IsAssignableFrom<IOException>(error);
        Assert.Contains("Pageant is not running", error.Message, StringComparison.Ordinal);
        Assert.False(new PageantWindow(windows, Timeout).Exists);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData((256u * 1024) - 3)]
    [InlineData(uint.MaxValue)]
    public void A_reply_length_that_is_zero_or_runs_past_the_shared_memory_is_a_typed_error(uint claimed)
    {
        var windows = new FakePageantWindows { Answer = _ => [(byte)(claimed >> 24), (byte)(claimed >> 16), (byte)(claimed >> 8), (byte)claimed, 12] };

        var error = Assert.Throws<PageantWindowException>(() => new PageantWindow(windows, Timeout).Exchange(Framed(11)));

        Assert.Equal(PageantWindowFailure.BadReplyLength, error.Failure);
        Assert.Contains($"claims {claimed} bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_longest_reply_the_shared_memory_holds_is_read_whole()
    {
        const int length = (256 * 1024) - 4;
        var reply = new byte[4 + length];
        reply[1] = (byte)(length >> 16);
        reply[2] = unchecked((byte)(length >> 8));
        reply[3] = unchecked((byte)length);
        reply[^1] = 0x42;
        var windows = new FakePageantWindows { Answer = _ => reply };

        Assert.Equal(reply, new PageantWindow(windows, Timeout).Exchange(Framed(11)));
    }

    [Theory]
    [InlineData(0L, "Pageant refused the request")]
    [InlineData(null, "Pageant did not answer within 10000 ms")]
    public void A_Pageant_that_refuses_or_does_not_answer_in_time_is_a_typed_error(long? result, string message)
    {
        var windows = new FakePageantWindows { Answer = _ => Framed(12), Result = result };

        var error = Assert.Throws<PageantWindowException>(() => new PageantWindow(windows, Timeout).Exchange(Framed(11)));

        Assert.Equal(PageantWindowFailure.NoAnswer, error.Failure);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(10), Assert.Single(windows.Messages).Timeout);
    }

    [Fact]
    public void Shared_memory_that_cannot_be_created_is_a_typed_error_naming_it()
    {
        var windows = new FakePageantWindows { CreateFails = true };

        var error = Assert.Throws<PageantWindowException>(() => new PageantWindow(windows, Timeout).Exchange(Framed(11)));

        Assert.Equal(PageantWindowFailure.SharedMemory, error.Failure);
        Assert.Contains($"PageantRequest{windows.CurrentThreadId:x8}", error.Message, StringComparison.Ordinal);
        Assert.Empty(windows.Messages);
    }

    private static byte[] Framed(byte type) => [0, 0, 0, 1, type];

    private static bool ServedOnLinux(string candidate) =>
        AgentSocket.PipeName(candidate) is { } name && File.Exists(Path.Combine(Path.GetTempPath(), "CoreFxPipe_" + name));

    private static Renci.SshNet.Security.HostAlgorithm Verifier(string path, string algorithm) =>
        new PrivateKeyFile(path).HostKeyAlgorithms.First(a => a.Name == algorithm);

    /// <summary>One framed request to the real ssh-agent, its framed answer back: what Pageant does with the shared memory.</summary>
    private static byte[] RelayTo(string agentSocket, byte[] framedRequest)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(agentSocket));
        using var stream = new NetworkStream(socket);
        stream.Write(framedRequest);
        var header = new byte[4];
        stream.ReadExactly(header);
        var answer = new byte[4 + ((header[0] << 24) | (header[1] << 16) | (header[2] << 8) | header[3])];
        header.CopyTo(answer, 0);
        stream.ReadExactly(answer, 4, answer.Length - 4);
        return answer;
    }

    private sealed class XorProtector(byte key = 0x5A) : IMemoryProtector
    {
        public List<int> Lengths { get; } = [];

        public bool TryProtectCrossProcess(byte[] buffer)
        {
            Lengths.Add(buffer.Length);
            for (var i = 0; i < buffer.Length; i++)
            {
                buffer[i] ^= key;
            }

            return true;
        }
    }

    private sealed class FailingProtector : IMemoryProtector
    {
        public bool TryProtectCrossProcess(byte[] buffer) => false;
    }

    /// <summary>
    /// Pageant's side of WM_COPYDATA in memory: reads the framed request at the start of the named memory the message
    /// names, writes <see cref="Answer"/>'s bytes back there, and returns <see cref="Result"/>.
    /// </summary>
    private sealed class FakePageantWindows : IPageantWindowMessaging
    {
        private static readonly IntPtr Window = new(0x1234);
        private readonly Dictionary<string, byte[]> _memories = [];

        public bool WindowExists { get; init; } = true;

        public bool CreateFails { get; init; }

        public Func<byte[], byte[]> Answer { get; init; } = _ => throw new InvalidOperationException("no answer set");

        public long? Result { get; init; } = 1;

        public List<(uint DataId, string Payload, int Capacity, TimeSpan Timeout)> Messages { get; } = [];

        public uint CurrentThreadId => 0xbeef;

        public IntPtr FindPageantWindow() => WindowExists ? Window : IntPtr.Zero;

        public IPageantSharedMemory CreateSharedMemory(string name, int capacity)
        {
            if (CreateFails)
            {
                throw new IOException("Access is denied.");
            }

            var memory = new byte[capacity];
            _memories[name] = memory;
            return new Memory(memory, () => _memories.Remove(name));
        }

        public long? SendCopyData(IntPtr window, uint dataId, byte[] payload, TimeSpan timeout)
        {
            Assert.Equal(Window, window);
            var name = Encoding.ASCII.GetString(payload).TrimEnd('\0');
            var memory = _memories[name];
            Messages.Add((dataId, Encoding.ASCII.GetString(payload), memory.Length, timeout));
            var length = (memory[0] << 24) | (memory[1] << 16) | (memory[2] << 8) | memory[3];
            var answer = Answer(memory[..(4 + length)]);
            answer.CopyTo(memory, 0);
            return Result;
        }

        private sealed class Memory(byte[] bytes, Action release) : IPageantSharedMemory
        {
            public void Write(int offset, byte[] data) => data.CopyTo(bytes, offset);

            public byte[] Read(int offset, int count) => bytes[offset..(offset + count)];

            public void Dispose() => release();
        }
    }
}
