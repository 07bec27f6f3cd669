using ParamikoJump.Hops;

namespace ParamikoJump.Tests.Hops;

public class HopTimeoutsTests
{
    [Fact]
    public void Defaults_leave_a_person_time_to_approve_a_push()
    {
        var settings = new HopSettings("bastion");

        Assert.Equal(TimeSpan.FromSeconds(30), settings.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.AuthTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.ChannelTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), TestHops.Timeouts().BeforeBanner(throughJump: true));
    }

    [Fact]
    public void Through_a_jump_the_banner_budget_governs_the_wait_before_the_banner()
    {
        var timeouts = TestHops.Timeouts(connect: TimeSpan.FromSeconds(10), banner: TimeSpan.FromSeconds(3));

        Assert.Equal(TimeSpan.FromSeconds(3), timeouts.BeforeBanner(throughJump: true));
        Assert.Equal(TimeSpan.FromSeconds(10), timeouts.BeforeBanner(throughJump: false));
    }

    [Fact]
    public void A_non_positive_budget_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SshJumpClient(new HopSettings("bastion") { Password = "x", AuthTimeout = TimeSpan.Zero }));
        Assert.Equal(nameof(HopSettings.AuthTimeout), error.ParamName);
        Assert.Contains("bastion", error.Message);
    }
}
