using System;
using Microsoft.Extensions.Logging;

namespace ParamikoJump.Logging;

/// <summary>
/// Every log line ParamikoJump writes. Answers to prompts, passwords and passphrases are never arguments here.
/// </summary>
internal static partial class Log
{
    private static readonly Action<ILogger, string, int, Exception?> TunnelOpenedMessage =
        LoggerMessage.Define<string, int>(LogLevel.Debug, new EventId(1, "TunnelOpened"), "Hop {Hop}: forward opened on 127.0.0.1:{LocalPort}");

    private static readonly Action<ILogger, string, int, Exception?> TunnelClosedMessage =
        LoggerMessage.Define<string, int>(LogLevel.Debug, new EventId(2, "TunnelClosed"), "Hop {Hop}: forward on 127.0.0.1:{LocalPort} closed");

    private static readonly Action<ILogger, string, string, Exception?> TunnelConnectionMessage =
        LoggerMessage.Define<string, string>(LogLevel.Trace, new EventId(3, "TunnelConnection"), "Hop {Hop}: local connection from port {OriginatorPort}");

    private static readonly Action<ILogger, string, string, Exception?> TunnelErrorMessage =
        LoggerMessage.Define<string, string>(LogLevel.Warning, new EventId(4, "TunnelError"), "Hop {Hop}: forward error: {Error}");

    private static readonly Action<ILogger, string, Exception?> HopConnectingMessage =
        LoggerMessage.Define<string>(LogLevel.Information, new EventId(10, "HopConnecting"), "Hop {Hop}: connecting");

    private static readonly Action<ILogger, string, string, Exception?> HopConnectedMessage =
        LoggerMessage.Define<string, string>(LogLevel.Information, new EventId(11, "HopConnected"), "Hop {Hop}: connected ({ServerVersion})");

    private static readonly Action<ILogger, string, Exception?> HopClosedMessage =
        LoggerMessage.Define<string>(LogLevel.Information, new EventId(12, "HopClosed"), "Hop {Hop}: closed");

    private static readonly Action<ILogger, string, string, Exception?> HopFailedMessage =
        LoggerMessage.Define<string, string>(LogLevel.Warning, new EventId(13, "HopFailed"), "Hop {Hop}: failed at stage {Stage}");

    private static readonly Action<ILogger, string, string, string, Exception?> AuthMethodMessage =
        LoggerMessage.Define<string, string, string>(LogLevel.Debug, new EventId(20, "AuthMethod"), "Hop {Hop}: {Method} authentication: {Result}");

    private static readonly Action<ILogger, string, int, int, string, Exception?> AuthRoundMessage =
        LoggerMessage.Define<string, int, int, string>(LogLevel.Debug, new EventId(21, "AuthRound"), "Hop {Hop}: keyboard-interactive round {Round} with {PromptCount} prompt(s): {Prompts}");

    public static void TunnelOpened(ILogger logger, string hop, int localPort) => TunnelOpenedMessage(logger, hop, localPort, null);

    public static void TunnelClosed(ILogger logger, string hop, int localPort) => TunnelClosedMessage(logger, hop, localPort, null);

    public static void TunnelConnection(ILogger logger, string hop, string originatorPort) => TunnelConnectionMessage(logger, hop, originatorPort, null);

    public static void TunnelError(ILogger logger, string hop, string error) => TunnelErrorMessage(logger, hop, error, null);

    public static void HopConnecting(ILogger logger, string hop) => HopConnectingMessage(logger, hop, null);

    public static void HopConnected(ILogger logger, string hop, string serverVersion) => HopConnectedMessage(logger, hop, serverVersion, null);

    public static void HopClosed(ILogger logger, string hop) => HopClosedMessage(logger, hop, null);

    public static void HopFailed(ILogger logger, string hop, HopStage stage, Exception error) => HopFailedMessage(logger, hop, stage.ToString(), error);

    public static void AuthMethod(ILogger logger, string hop, string method, string result) => AuthMethodMessage(logger, hop, method, result, null);

    /// <summary>Logs a round's prompt texts (what the server asked), never the answers.</summary>
    public static void AuthRound(ILogger logger, string hop, int round, int promptCount, string prompts) => AuthRoundMessage(logger, hop, round, promptCount, prompts, null);
}
