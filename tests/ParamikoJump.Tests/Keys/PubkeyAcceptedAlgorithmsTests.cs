using System.Runtime.Versioning;
using ParamikoJump.Configuration;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys;
using static ParamikoJump.Tests.Keys.KeyTestHops;

namespace ParamikoJump.Tests.Keys;

/// <summary>PubkeyAcceptedAlgorithms: which signature algorithms each key is offered with, as ssh's list arithmetic makes it.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class PubkeyAcceptedAlgorithmsTests(AgentTests.Keys keys) : IClassFixture<AgentTests.Keys>
{
    [Theory]
    [InlineData(null, new[] { "rsa-sha2-512" })]
    [InlineData("+ssh-rsa", new[] { "rsa-sha2-512", "ssh-rsa" })]
    [InlineData("^ssh-rsa", new[] { "ssh-rsa", "rsa-sha2-512" })]
    [InlineData("ssh-rsa", new[] { "ssh-rsa" })]
    [InlineData("rsa-sha2-256,ssh-ed25519", new[] { "rsa-sha2-256" })]
    [InlineData("-rsa-sha2-512", new[] { "rsa-sha2-256" })]
    [InlineData("ssh-*,rsa-sha2-512", new[] { "ssh-rsa", "rsa-sha2-512" })]
    public void An_RSA_key_file_is_offered_with_the_algorithms_the_list_allows_one_SHA2_at_most(string? spec, string[] offered)
    {
        Assert.Equal(offered, Algorithms(Setup(NoKeys, keyFilenames: [keys.Rsa], lookForKeys: false, pubkeyAcceptedAlgorithms: spec)));
    }

    [Fact]
    public void An_agent_RSA_key_opted_into_ssh_rsa_signs_with_SHA1_when_offered_so()
    {
        using var agent = new TestAgent(keys.Kit);
        agent.Add(keys.Rsa);

        var offers = Setup(new KeyEnvironment(null, agent.Socket), lookForKeys: false, pubkeyAcceptedAlgorithms: "+ssh-rsa").Keys.Resolve();
        var signature = offers[1].Algorithm.Sign("data"u8.ToArray());

        Assert.Equal(["rsa-sha2-512", "ssh-rsa"], offers.Select(o => o.Algorithm.Name));
        Assert.All(offers, o => Assert.Equal("ssh-agent key 'agent_rsa'", o.Source));
        Assert.Equal("ssh-rsa", SshKeyBlob.TypeOf(signature));
    }

    [Fact]
    public void A_key_none_of_whose_algorithms_is_accepted_is_not_offered_and_the_log_says_why()
    {
        var log = new ListLogger();

        var offered = Algorithms(Setup(NoKeys, password: "pw", keyFilenames: [keys.Ed25519, keys.Rsa], lookForKeys: false, log: log, pubkeyAcceptedAlgorithms: "-ssh-ed25519"));

        Assert.Equal(["rsa-sha2-512"], offered);
        Assert.Contains(log.Lines, l => l.Contains($"skipping key {keys.Ed25519} (ssh-ed25519", StringComparison.Ordinal) && l.Contains("none of its algorithms (ssh-ed25519) is in PubkeyAcceptedAlgorithms", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_name_is_refused_when_the_hop_is_built_naming_the_setting()
    {
        var error = Assert.Throws<ArgumentException>(() => Setup(NoKeys, password: "pw", lookForKeys: false, pubkeyAcceptedAlgorithms: "+ssh-rsa,not-an-algorithm"));

        Assert.Contains("PubkeyAcceptedAlgorithms '+ssh-rsa,not-an-algorithm': unknown algorithm 'not-an-algorithm'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PubkeyAcceptedAlgorithms +ssh-rsa", "+ssh-rsa")]
    [InlineData("PubkeyAcceptedKeyTypes ssh-rsa,rsa-sha2-512", "ssh-rsa,rsa-sha2-512")]
    public void Ssh_config_sets_it_for_the_host_it_applies_to_under_either_name(string line, string expected)
    {
        var config = SshConfig.Parse($"Host old-switch\n  {line}\n");

        Assert.Equal(expected, config.Resolve("old-switch").ToHopSettings().PubkeyAcceptedAlgorithms);
        Assert.Null(config.Resolve("other").ToHopSettings().PubkeyAcceptedAlgorithms);
    }

    [Fact]
    public void Ssh_config_refuses_an_unknown_name_as_ssh_does()
    {
        // ssh -G: "Bad key types '+ssh-rsa,bogus'."
        Assert.Throws<SshConfigException>(() => SshConfig.Parse("Host x\n  PubkeyAcceptedAlgorithms +ssh-rsa,bogus\n").Resolve("x"));
    }
}
