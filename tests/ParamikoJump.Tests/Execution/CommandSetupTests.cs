using Microsoft.Extensions.Logging.Abstractions;
using ParamikoJump.Execution;

namespace ParamikoJump.Tests.Execution;

/// <summary>README's "Environment and a terminal for a command": what goes out before exec, and in which order of precedence.</summary>
public class CommandSetupTests
{
    [Fact]
    public void A_name_the_call_gives_overrides_the_same_name_from_the_hop_and_is_required()
    {
        var settings = new HopSettings("db.internal") { SetEnv = new Dictionary<string, string> { ["APP_ENV"] = "from-hop", ["REGION"] = "eu" } };
        var options = new CommandOptions { Environment = { ["APP_ENV"] = "from-call" } };

        var plan = CommandSetup.PlanFor("true", settings, TestHops.Target, NullLogger.Instance, options)!;

        Assert.Equal([("REGION", "eu", false), ("APP_ENV", "from-call", true)], plan.Environment);
        Assert.Null(plan.Terminal);
    }

    [Fact]
    public void A_terminal_is_vt100_80_by_24_unless_set()
    {
        var plan = CommandSetup.PlanFor("true", new HopSettings("db.internal"), TestHops.Target, NullLogger.Instance, new CommandOptions { GetPty = true })!;

        Assert.Equal(("vt100", 80u, 24u), plan.Terminal);
        Assert.Empty(plan.Environment);
    }
}
