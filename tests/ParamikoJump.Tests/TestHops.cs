using Microsoft.Extensions.Logging.Abstractions;
using ParamikoJump.Authentication;
using ParamikoJump.Hops;

namespace ParamikoJump.Tests;

internal static class TestHops
{
    public static readonly HopIdentity Bastion = new("bastion.example", 22, "ops");
    public static readonly HopIdentity Target = new("db.internal", 2222, "admin", Bastion);

    /// <summary>Budgets as a hop built with default settings has them, or as given.</summary>
    public static HopTimeouts Timeouts(TimeSpan? connect = null, TimeSpan? banner = null) =>
        new(connect ?? HopSettings.DefaultConnectTimeout, banner, HopSettings.DefaultAuthTimeout, HopSettings.DefaultChannelTimeout);

    /// <summary>A tracker for <paramref name="hop"/> with default settings, or the ones given.</summary>
    public static AuthenticationTracker Tracker(HopIdentity hop, HopSettings? settings = null) =>
        new(hop, Timeouts(), settings ?? new HopSettings(hop.Host), NullLogger.Instance);

    public static KeyboardInteractiveRound Round(int number, params (string Text, bool Echo)[] prompts) =>
        new(Target, number, "", "", prompts.Select((p, i) => new KeyboardInteractivePrompt(i, p.Text, p.Echo)).ToList());
}
