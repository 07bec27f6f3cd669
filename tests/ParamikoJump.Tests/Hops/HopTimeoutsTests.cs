using ParamikoJump.Hops;

namespace ParamikoJump.Tests.Hops;

public class HopTimeoutsTests
{
    [Fact]
    public void Defaults_leave_a_person_time_to_approve_a_push()
    {
        var timeouts = new HopTimeouts(null, null, null, null);

        Assert.Equal(TimeSpan.FromSeconds(30), timeouts.Connect);
        Assert.Equal(TimeSpan.FromMinutes(2), timeouts.Auth);
        Assert.Equal(TimeSpan.FromSeconds(30), timeouts.Channel);
        Assert.Equal(TimeSpan.FromSeconds(30), timeouts.BeforeBanner(throughJump: true));
    }

    [Fact]
    public void Through_a_jump_the_banner_budget_governs_the_wait_before_the_banner()
    {
        var timeouts = new HopTimeouts(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3), null, null);

        Assert.Equal(TimeSpan.FromSeconds(3), timeouts.BeforeBanner(throughJump: true));
        Assert.Equal(TimeSpan.FromSeconds(10), timeouts.BeforeBanner(throughJump: false));
    }

    [Fact]
    public void A_non_positive_budget_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new HopTimeouts(null, null, TimeSpan.Zero, null));
        Assert.Equal("auth", error.ParamName);
    }
}
