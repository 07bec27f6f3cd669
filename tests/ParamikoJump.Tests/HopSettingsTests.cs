namespace ParamikoJump.Tests;

/// <summary>README's Settings section: the defaults of its table, and a client that copies its settings when created.</summary>
public class HopSettingsTests
{
    [Fact]
    public void The_defaults_are_those_of_READMEs_settings_table()
    {
        var settings = new HopSettings("bastion.example");

        Assert.Equal(TimeSpan.FromSeconds(30), settings.ConnectTimeout);
        Assert.Null(settings.BannerTimeout); // ConnectTimeout
        Assert.Equal(TimeSpan.FromMinutes(2), settings.AuthTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ChannelTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.KeepAliveInterval);
        Assert.Equal(3, settings.KeepAliveCountMax);
        Assert.Equal(50, settings.MaxKeyboardInteractiveRounds);
        Assert.Null(settings.MaxCommandOutputBuffer);
        Assert.Equal(6, settings.MaxAuthTries);
        Assert.Equal(10, settings.ConnectionAttempts);
        Assert.Equal(8, settings.MaxConcurrentConnects);
        Assert.Same(TimeProvider.System, settings.TimeProvider);
    }

    [Fact]
    public void A_client_copies_its_settings_so_later_changes_change_nothing_in_it()
    {
        var settings = new HopSettings("bastion.example") { Port = 2200, Username = "ops", Password = "pw", LookForKeys = false, AllowAgent = false };
        using var client = new SshJumpClient(settings);

        settings.Host = "elsewhere.example";
        settings.Port = 22;
        settings.Username = "root";
        settings.KeepAliveInterval = TimeSpan.Zero;
        settings.MaxAuthTries = 1;

        Assert.Equal("ops@bastion.example:2200", client.Hop.ToString());
        Assert.Equal(("bastion.example", 2200, "ops"), (client.ConnectionInfo.Host, client.ConnectionInfo.Port, client.ConnectionInfo.Username));
        Assert.Equal(TimeSpan.FromSeconds(15), client.Runtime.Plan.Settings.KeepAliveInterval);
        Assert.Equal(6, client.MaxAuthTries);
    }
}
