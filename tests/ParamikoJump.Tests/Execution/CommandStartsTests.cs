using ParamikoJump.Execution;

namespace ParamikoJump.Tests.Execution;

public sealed class CommandStartsTests
{
    [Theory]
    [InlineData("SSH-2.0-dropbear_2022.82", true)]
    [InlineData("SSH-2.0-dropbear_2022.83", true)]
    [InlineData("SSH-2.0-dropbear_2024.84", true)]
    [InlineData("SSH-2.0-dropbear_2024.85", true)]
    [InlineData("SSH-2.0-dropbear", true)]
    [InlineData("SSH-2.0-dropbear_2024.86", false)]
    [InlineData("SSH-2.0-dropbear_2025.88", false)]
    [InlineData("SSH-2.0-dropbear_2020.81", false)]
    [InlineData("SSH-2.0-dropbear_0.52", false)]
    [InlineData("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10", false)]
    [InlineData("SSH-2.0-Cisco-1.25", false)]
    [InlineData(null, false)]
    public void Only_dropbear_2022_82_to_2024_85_gets_commands_one_after_the_other(string? serverVersion, bool serialized)
    {
        Assert.Equal(serialized, CommandStarts.ClosesChannelsOpenedWhileAnotherExits(serverVersion));
    }

    [Fact]
    public void Without_a_session_that_needs_it_a_command_starts_at_once()
    {
        var starts = new CommandStarts();

        using var first = starts.Begin(TestHops.Target, "sleep 60", TimeSpan.FromMilliseconds(1), TestContext.Current.CancellationToken);
        using var second = starts.Begin(TestHops.Target, "true", TimeSpan.FromMilliseconds(1), TestContext.Current.CancellationToken);

        Assert.False(starts.Serialized);
    }
}
