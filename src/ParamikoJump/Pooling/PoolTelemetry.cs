using System.Collections.Generic;
using System.Diagnostics;
using ParamikoJump.Telemetry;

namespace ParamikoJump.Pooling;

/// <summary>The pool's metrics, tagged with the server a limit is counted against (never a user's secret).</summary>
internal static class PoolTelemetry
{
    public static void Leased(string server, string outcome, long elapsedTimestamp)
    {
        var tags = new TagList { { "paramikojump.pool.server", server }, { "paramikojump.outcome", outcome } };
        Instruments.Leases.Add(1, tags);
        Instruments.LeaseWait.Record(elapsedTimestamp / (double)Stopwatch.Frequency, tags);
    }

    public static void Queued(string server) => Instruments.LeaseQueued.Add(1, new KeyValuePair<string, object?>("paramikojump.pool.server", server));

    public static void SessionOpened(string server) => Instruments.PoolSessions.Add(1, new KeyValuePair<string, object?>("paramikojump.pool.server", server));

    public static void SessionClosed(string server) => Instruments.PoolSessions.Add(-1, new KeyValuePair<string, object?>("paramikojump.pool.server", server));

    public static void JumpLoggedIn(string jump, int number) =>
        Instruments.JumpLogins.Add(1, new KeyValuePair<string, object?>("paramikojump.jump", jump), new KeyValuePair<string, object?>("paramikojump.relogin", number > 1));
}
