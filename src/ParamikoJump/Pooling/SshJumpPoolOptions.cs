using System;
using Microsoft.Extensions.Logging;
using ParamikoJump.Authentication;

namespace ParamikoJump.Pooling;

/// <summary>
/// How an <see cref="SshJumpDataSource"/> shares, limits and heals its connections. Each default is documented on
/// its property; the source copies these when it is built.
/// </summary>
public sealed class SshJumpPoolOptions
{
    /// <summary>
    /// Target sessions open at once to one server (host and port through the same jumps), leased or idle. A lease
    /// asked for beyond it waits in line for one to come back, or closes another destination's idle session.
    /// </summary>
    /// <value>8.</value>
    public int MaxSessionsPerServer { get; set; } = 8;

    /// <summary>Connects (key exchange and login) running at once to one server; the others wait their turn.</summary>
    /// <value>4.</value>
    public int MaxConnectsPerServer { get; set; } = 4;

    /// <summary>How long a target session may sit unused in the pool before it is closed.</summary>
    /// <value>2 minutes.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The longest <see cref="SshJumpDataSource.GetAsync"/> waits, in line, connecting and healing a lost jump
    /// included, before it fails with <see cref="LeaseTimeoutException"/>.
    /// </summary>
    /// <value>1 minute.</value>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Further tries of a jump's reconnect after the first fails (Polly retry, exponential backoff with jitter).</summary>
    /// <value>4.</value>
    public int ReconnectAttempts { get; set; } = 4;

    /// <summary>The first pause between reconnect tries of a lost jump; it doubles, with jitter, up to <see cref="MaxReconnectDelay"/>.</summary>
    /// <value>1 second.</value>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between reconnect tries.</summary>
    /// <value>30 seconds.</value>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a lost jump whose login handler asks a person (<see cref="SimpleAuthHandler"/>, also inside a
    /// <see cref="CompositeAuthHandler"/>) may ask again when it reconnects. When off (the default), the reconnect
    /// uses only what answers by itself (keys, the agent, a password, <see cref="PromptHandler"/>,
    /// <see cref="TotpSource"/>), and a jump that has nothing else fails with <see cref="JumpNotConnectedException"/>.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool AllowInteractiveRelogin { get; set; }

    /// <summary>The clock of idle eviction, lease timeouts and reconnect pauses (tests pass a fake one).</summary>
    /// <value><see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where the source logs; the hops log where their own <see cref="HopSettings.LoggerFactory"/> says.</summary>
    /// <value><see langword="null"/>: no log.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal SshJumpPoolOptions Validated()
    {
        Positive(MaxSessionsPerServer, nameof(MaxSessionsPerServer));
        Positive(MaxConnectsPerServer, nameof(MaxConnectsPerServer));
        Positive(IdleTimeout, nameof(IdleTimeout));
        Positive(LeaseTimeout, nameof(LeaseTimeout));
        if (ReconnectAttempts < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectAttempts), ReconnectAttempts, $"{nameof(SshJumpPoolOptions)}.{nameof(ReconnectAttempts)} cannot be negative.");
        }

        Positive(ReconnectDelay, nameof(ReconnectDelay));
        Positive(MaxReconnectDelay, nameof(MaxReconnectDelay));
        return (SshJumpPoolOptions)MemberwiseClone();
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{nameof(SshJumpPoolOptions)}.{name} must be at least 1.");
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{nameof(SshJumpPoolOptions)}.{name} must be positive.");
        }
    }
}
