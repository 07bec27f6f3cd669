using ParamikoJump.Configuration;
using ParamikoJump.HostKeys;

namespace ParamikoJump.Tests.Configuration;

/// <summary>What ssh_config says about host keys reaches the hop: HostKeyAlias is used, CheckHostIP refused where ssh would act on it.</summary>
public sealed class HostKeyConfigTests(ConfigFiles files) : IClassFixture<ConfigFiles>
{
    [Fact]
    public void HostKeyAlias_reaches_the_hop_lowercased_as_ssh_uses_it()
    {
        var config = SshConfig.Load(files.Write("Host db\n  HostName 10.0.0.5\n  HostKeyAlias DB-Primary\n"));

        var settings = config.Resolve("db").ToHopSettings();

        Assert.Equal("db-primary", settings.HostKeyAlias);
        Assert.Empty(ConfigFiles.Differences(files.Write("Host db\n  HostName 10.0.0.5\n  HostKeyAlias DB-Primary\n"), "db"));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("YES")]
    [InlineData("True")]
    public void CheckHostIP_yes_for_a_host_reached_directly_by_name_is_refused_naming_the_line(string yes)
    {
        var file = files.Write($"Host db\n  HostName db.internal\n  CheckHostIP {yes}\n");

        var error = Assert.Throws<SshConfigException>(() => SshConfig.Load(file).Resolve("db").ToHopSettings());

        Assert.Equal(file, error.FilePath);
        Assert.Equal(3, error.Line);
        Assert.Contains("CheckHostIP yes is not supported for db.internal", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host db\n  HostName db.internal\n  CheckHostIP no\n", "db.internal")]
    [InlineData("Host db\n  HostName 10.0.0.5\n  CheckHostIP yes\n", "10.0.0.5")]
    [InlineData("Host db\n  HostName db.internal\n  CheckHostIP yes\n  ProxyJump bastion\n", "db.internal")]
    public void CheckHostIP_is_accepted_where_ssh_would_not_act_on_it(string text, string host)
    {
        var config = SshConfig.Load(files.Write(text));

        var settings = config.Resolve("db").ToHopSettings();

        Assert.Equal(host, settings.Host);
        Assert.Null(settings.HostKeyAlias);
    }

    [Theory]
    [InlineData("accept-new")]
    [InlineData("no")]
    public void With_UserKnownHostsFile_none_a_new_host_is_refused_as_ssh_refuses_one_it_cannot_record(string strict)
    {
        var none = SshConfig.Load(files.Write($"Host db\n  HostName db.internal\n  UserKnownHostsFile none\n  StrictHostKeyChecking {strict}\n"));
        var recorded = SshConfig.Load(files.Write($"Host db\n  HostName db.internal\n  UserKnownHostsFile /tmp/pj-none-test/known_hosts\n  StrictHostKeyChecking {strict}\n"));

        Assert.IsType<RejectPolicy>(none.Resolve("db").ToHopSettings().HostKeyPolicy);
        Assert.IsType<AutoAddPolicy>(recorded.Resolve("db").ToHopSettings().HostKeyPolicy);
    }
}
