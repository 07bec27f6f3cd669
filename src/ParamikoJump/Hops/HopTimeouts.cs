using System;

namespace ParamikoJump.Hops;

/// <summary>The time budgets of one hop, one per stage.</summary>
internal sealed class HopTimeouts
{
    public HopTimeouts(TimeSpan connect, TimeSpan? banner, TimeSpan auth, TimeSpan channel)
    {
        Connect = connect;
        Banner = banner;
        Auth = auth;
        Channel = channel;
    }

    /// <summary>TCP connect (direct hops) and key exchange.</summary>
    public TimeSpan Connect { get; }

    /// <summary>Waiting for the server's banner, when set apart from <see cref="Connect"/>.</summary>
    public TimeSpan? Banner { get; }

    /// <summary>The whole login, MFA rounds included.</summary>
    public TimeSpan Auth { get; }

    /// <summary>Every wait once connected: channel opens, command starts, requests.</summary>
    public TimeSpan Channel { get; }

    /// <summary>
    /// The budget until the banner arrives. Through a jump the TCP connection is a loopback one and the wait is all
    /// channel open and banner, so a banner timeout governs it; on a direct hop the TCP connection and the banner
    /// share one budget, so the longer of the two is used.
    /// </summary>
    public TimeSpan BeforeBanner(bool throughJump) => Banner switch
    {
        null => Connect,
        { } banner when throughJump => banner,
        { } banner => banner > Connect || banner == System.Threading.Timeout.InfiniteTimeSpan ? banner : Connect,
    };

    /// <summary>The budget of a stage, for the watchdog and for error messages.</summary>
    public TimeSpan Of(HopStage stage, bool throughJump) => stage switch
    {
        HopStage.Authentication => Auth,
        HopStage.Session => Channel,
        HopStage.KeyExchange or HopStage.HostKeyVerification => Connect,
        _ => BeforeBanner(throughJump),
    };
}
