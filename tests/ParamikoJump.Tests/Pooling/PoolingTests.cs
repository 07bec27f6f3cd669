using ParamikoJump.Authentication;
using ParamikoJump.Pooling;

namespace ParamikoJump.Tests.Pooling;

public sealed class PoolingTests
{
    [Fact]
    public void A_relogin_without_a_person_keeps_handlers_that_answer_alone_and_drops_those_that_ask()
    {
        var rules = new PromptHandler().On("^Password:", "pw");
        var person = new SimpleAuthHandler(new StringReader(string.Empty), TextWriter.Null);
        var queue = new MagicAuthHandler(["pw"]);
        var mixed = new CompositeAuthHandler(rules, person);
        var alone = new CompositeAuthHandler(rules, queue);

        Assert.Null(Relogin.WithoutPerson(person));
        Assert.Same(rules, Relogin.WithoutPerson(rules));
        Assert.Same(rules, Relogin.WithoutPerson(mixed));
        Assert.Same(alone, Relogin.WithoutPerson(alone));
        Assert.Null(Relogin.WithoutPerson(new CompositeAuthHandler(person)));
        Assert.Null(Relogin.WithoutPerson(null));
        var nested = Assert.IsType<CompositeAuthHandler>(Relogin.WithoutPerson(new CompositeAuthHandler(mixed, queue)));
        Assert.Equal([rules, queue], nested.Handlers);
    }

    [Fact]
    public void The_builder_refuses_duplicate_and_empty_names_and_a_source_without_destinations()
    {
        var builder = new SshJumpDataSourceBuilder();
        builder.AddDestination("db01", new HopSettings("10.0.0.5") { Password = "pw" });

        Assert.Contains("'db01' is already added", Assert.Throws<ArgumentException>(() => builder.AddDestination("db01", new HopSettings("10.0.0.6"))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => builder.AddDestination(" ", new HopSettings("10.0.0.6")));
        Assert.Throws<ArgumentException>(() => builder.AddDestination("db02", new HopSettings("")));
        Assert.Throws<ArgumentException>(() => new SshJumpDataSourceBuilder().Build());
    }

    [Theory]
    [InlineData(nameof(SshJumpPoolOptions.MaxSessionsPerServer))]
    [InlineData(nameof(SshJumpPoolOptions.MaxConnectsPerServer))]
    [InlineData(nameof(SshJumpPoolOptions.IdleTimeout))]
    [InlineData(nameof(SshJumpPoolOptions.LeaseTimeout))]
    [InlineData(nameof(SshJumpPoolOptions.ReconnectAttempts))]
    public void An_option_out_of_range_is_refused_by_name_when_the_source_is_built(string option)
    {
        var builder = new SshJumpDataSourceBuilder().AddDestination("db01", new HopSettings("10.0.0.5") { Password = "pw" });
        switch (option)
        {
            case nameof(SshJumpPoolOptions.MaxSessionsPerServer): builder.Options.MaxSessionsPerServer = 0; break;
            case nameof(SshJumpPoolOptions.MaxConnectsPerServer): builder.Options.MaxConnectsPerServer = 0; break;
            case nameof(SshJumpPoolOptions.IdleTimeout): builder.Options.IdleTimeout = TimeSpan.Zero; break;
            case nameof(SshJumpPoolOptions.LeaseTimeout): builder.Options.LeaseTimeout = TimeSpan.FromSeconds(-1); break;
            default: builder.Options.ReconnectAttempts = -1; break;
        }

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.Build());

        Assert.Equal(option, error.ParamName);
    }

    [Fact]
    public async Task Destinations_share_one_jump_by_identity_and_an_unknown_name_is_refused_with_the_known_ones()
    {
        var bastion = new HopSettings("bastion.example") { Username = "ops", Password = "pw" };
        var sameBastion = new HopSettings("Bastion.Example") { Username = "ops", Password = "pw" };
        var otherUser = new HopSettings("bastion.example") { Username = "Ops", Password = "pw" };
        await using var source = new SshJumpDataSourceBuilder()
            .AddDestination("db01", new HopSettings("10.0.0.5") { Username = "admin", Password = "pw" }, bastion)
            .AddDestination("db02", new HopSettings("10.0.0.6") { Username = "admin", Password = "pw" }, sameBastion)
            .AddDestination("db03", new HopSettings("10.0.0.7") { Username = "admin", Password = "pw" }, otherUser)
            .Build();

        // A host name in another case is the same host (as for ssh); a user name in another case is another user.
        Assert.Equal("admin@10.0.0.5:22 via ops@bastion.example:22", source.HopOf("db01").ToString());
        Assert.Equal("admin@10.0.0.6:22 via ops@bastion.example:22", source.HopOf("db02").ToString());
        Assert.Equal("admin@10.0.0.7:22 via Ops@bastion.example:22", source.HopOf("db03").ToString());
        Assert.Contains("(3 destinations, 2 jumps)", source.ToString(), StringComparison.Ordinal);
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await source.GetAsync("db04", TestContext.Current.CancellationToken));
        Assert.Contains("'db04'", error.Message, StringComparison.Ordinal);
        Assert.Contains("db01, db02, db03", error.Message, StringComparison.Ordinal);
    }
}
