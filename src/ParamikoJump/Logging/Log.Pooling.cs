using Microsoft.Extensions.Logging;

namespace ParamikoJump.Logging;

/// <summary>The log lines of <see cref="Pooling.SshJumpDataSource"/> (event ids 80-89).</summary>
internal static partial class Log
{
    [LoggerMessage(80, LogLevel.Information, "Pool: jump {Jump} logged in (login {Number})")]
    public static partial void PoolJumpConnected(ILogger logger, string jump, int number);

    [LoggerMessage(81, LogLevel.Warning, "Pool: jump {Jump} was lost (login {Number}); logging in again on this use")]
    public static partial void PoolJumpLost(ILogger logger, string jump, int number);

    [LoggerMessage(82, LogLevel.Warning, "Pool: jump {Jump} did not come back ({Error}); retry {Attempt} in {Seconds:0.###} s")]
    public static partial void PoolJumpRetry(ILogger logger, string jump, int attempt, double seconds, string error);

    [LoggerMessage(83, LogLevel.Information, "Pool: draining, {Leased} lease(s) out")]
    public static partial void PoolDraining(ILogger logger, int leased);
}
