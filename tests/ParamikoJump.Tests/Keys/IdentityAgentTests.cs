using System.Runtime.Versioning;
using ParamikoJump.Configuration;
using ParamikoJump.Keys;
using ParamikoJump.Keys.Agent;
using static ParamikoJump.Tests.Keys.KeyTestHops;

namespace ParamikoJump.Tests.Keys;

/// <summary>ssh's IdentityAgent: per hop (<see cref="HopSettings.IdentityAgent"/>) and from ssh_config, with the real ssh-agent.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class IdentityAgentTests(AgentTests.Keys keys) : IClassFixture<AgentTests.Keys>
{
    [Fact]
    public void IdentityAgent_is_used_instead_of_SSH_AUTH_SOCK_and_a_leading_tilde_is_the_home()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Ed25519);
        var home = Path.GetDirectoryName(agent.Socket)!;
        var elsewhere = new KeyEnvironment(home, keys.Kit.PathOf("no-agent-here.sock"));

        var byPath = Sources(Setup(elsewhere, lookForKeys: false, identityAgent: agent.Socket));
        var byTilde = Sources(Setup(elsewhere, lookForKeys: false, identityAgent: "~/" + Path.GetFileName(agent.Socket)));

        Assert.Equal(["ssh-agent key 'agent_ed25519'"], byPath);
        Assert.Equal(["ssh-agent key 'agent_ed25519'"], byTilde);
    }

    [Fact]
    public void IdentityAgent_none_turns_the_agent_off_and_SSH_AUTH_SOCK_keeps_the_default()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Ed25519);
        var environment = new KeyEnvironment(null, agent.Socket);

        Assert.Empty(Sources(Setup(environment, password: "pw", lookForKeys: false, identityAgent: "none")));
        Assert.Equal(["ssh-agent key 'agent_ed25519'"], Sources(Setup(environment, lookForKeys: false, identityAgent: "SSH_AUTH_SOCK")));
    }

    [Fact]
    public async Task IdentityAgent_naming_Pageant_s_pipe_reaches_it_on_any_system_NET_serves_pipes_on()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Ed25519);
        var pageantPipe = PageantPipe.PathFor("pj" + Guid.NewGuid().ToString("N")[..6], new FailingProtector());
        await using var relay = NamedPipeAgentTests.PipeRelay.Start(agent.Socket, AgentSocket.PipeName(pageantPipe));

        var offers = Sources(Setup(new KeyEnvironment(null, null), lookForKeys: false, identityAgent: pageantPipe.Replace('\\', '/')));

        Assert.Equal(["ssh-agent key 'agent_ed25519'"], offers);
        Assert.True(relay.Connections >= 1);
    }

    [Theory]
    [InlineData("//./pipe/pageant.me.0123abcd", "//./pipe/pageant.me.0123abcd")]
    [InlineData("\"//./pipe/pageant.me.0123abcd\"", "//./pipe/pageant.me.0123abcd")]
    [InlineData("\"\\\\\\\\.\\\\pipe\\\\pageant.me.0123abcd\"", @"\\.\pipe\pageant.me.0123abcd")]
    [InlineData("~/.ssh/agent-%h.sock", "{home}/.ssh/agent-db.internal.sock")]
    [InlineData("${PJ_AGENT_DIR}/agent.sock", "/run/agents/agent.sock")]
    [InlineData("$PJ_AGENT", "/run/agents/from-variable.sock")]
    [InlineData("$PJ_UNSET", "none")]
    [InlineData("none", "none")]
    [InlineData("SSH_AUTH_SOCK", "SSH_AUTH_SOCK")]
    public void IdentityAgent_from_ssh_config_is_read_as_ssh_reads_it(string value, string expected)
    {
        var home = keys.Kit.PathOf("identity-agent-home");
        var variables = new Dictionary<string, string> { ["PJ_AGENT_DIR"] = "/run/agents", ["PJ_AGENT"] = "/run/agents/from-variable.sock" };
        var log = new ListLogger();
        var config = SshConfig.Parse($"Host db\n  HostName db.internal\n  IdentityAgent {value}\n");
        config.Account = new LocalAccount("me", home, "1000", "laptop.local", name => variables.GetValueOrDefault(name), _ => null);
        config.LoggerFactory = log;

        var settings = config.Resolve("db").ToHopSettings();

        Assert.Equal(expected.Replace("{home}", home, StringComparison.Ordinal), settings.IdentityAgent);
        Assert.DoesNotContain(log.Lines, l => l.Contains("identityagent", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Without_IdentityAgent_in_ssh_config_the_hop_keeps_the_default()
    {
        Assert.Null(SshConfig.Parse("Host db\n").Resolve("db").ToHopSettings().IdentityAgent);
    }

    private sealed class FailingProtector : IMemoryProtector
    {
        public bool TryProtectCrossProcess(byte[] buffer) => false;
    }
}
