using System;

namespace ParamikoJump.Hops;

/// <summary>The time budgets of one hop, each applied to the SSH.NET waits of its stage.</summary>
internal sealed class HopTimeouts
{
    public static readonly TimeSpan DefaultConnect = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultAuth = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan DefaultChannel = TimeSpan.FromSeconds(30);

    public HopTimeouts(TimeSpan? connect, TimeSpan? banner, TimeSpan? auth, TimeSpan? channel)
    {
        Connect = Check(connect, nameof(connect)) ?? DefaultConnect;
        Banner = Check(banner, nameof(banner));
        Auth = Check(auth, nameof(auth)) ?? DefaultAuth;
        Channel = Check(channel, nameof(channel)) ?? DefaultChannel;
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
    /// The per-wait budget until the banner arrives. Through a jump the TCP connection is a loopback one and the
    /// wait is all channel open and banner, so a banner timeout governs it; on a direct hop SSH.NET waits for
    /// the TCP connection and the banner with one budget, so the longer of the two is used.
    /// </summary>
    public TimeSpan BeforeBanner(bool throughJump) => Banner switch
    {
        null => Connect,
        { } banner when throughJump => banner,
        { } banner => banner > Connect ? banner : Connect,
    };

    private static TimeSpan? Check(TimeSpan? value, string name) =>
        value is { } v && v <= TimeSpan.Zero && v != System.Threading.Timeout.InfiniteTimeSpan
            ? throw new ArgumentOutOfRangeException(name, v, $"The {name} timeout must be positive (or Timeout.InfiniteTimeSpan).")
            : value;
}
