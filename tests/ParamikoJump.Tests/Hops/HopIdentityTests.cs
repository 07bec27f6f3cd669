namespace ParamikoJump.Tests.Hops;

public class HopIdentityTests
{
    [Theory]
    [InlineData("db", 22, "db")]
    [InlineData("db", 2222, "[db]:2222")]
    [InlineData("10.0.0.5", 22, "10.0.0.5")]
    public void Known_hosts_name_follows_OpenSSH(string host, int port, string expected) =>
        Assert.Equal(expected, new HopIdentity(host, port, "u").KnownHostsName);

    [Fact]
    public void ToString_names_the_whole_chain()
    {
        var hop1 = new HopIdentity("hop1", 22, "a");
        var hop2 = new HopIdentity("hop2", 2200, "b", hop1);
        var target = new HopIdentity("fe80::1", 22, "c", hop2);

        Assert.Equal("c@[fe80::1]:22 via b@hop2:2200 via a@hop1:22", target.ToString());
        Assert.Equal(2, target.Depth);
        Assert.Same(hop2, target.Jump);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void Ports_outside_the_range_are_refused_naming_the_host(int port)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new HopIdentity("db", port, "u"));
        Assert.Contains("'db'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_host_is_refused() => Assert.Throws<ArgumentException>(() => new HopIdentity(" ", 22, "u"));
}
