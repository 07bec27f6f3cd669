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

    private static readonly Action<ILogger, string, string, Exception?> KeyOfferedMessage =
        LoggerMessage.Define<string, string>(LogLevel.Debug, new EventId(30, "KeyOffered"), "Hop {Hop}: offering {Key}");

    private static readonly Action<ILogger, string, string, string, Exception?> KeySkippedMessage =
        LoggerMessage.Define<string, string, string>(LogLevel.Information, new EventId(31, "KeySkipped"), "Hop {Hop}: skipping key {Key}: {Reason}");

    private static readonly Action<ILogger, string, int, int, int, string, Exception?> KeysCappedMessage =
        LoggerMessage.Define<string, int, int, int, string>(LogLevel.Information, new EventId(32, "KeysCapped"), "Hop {Hop}: offering {Offered} of {Total} public keys to stay within MaxAuthTries {MaxAuthTries}; not offered: {Dropped}");

    private static readonly Action<ILogger, string, string, string, Exception?> AgentUnavailableMessage =
        LoggerMessage.Define<string, string, string>(LogLevel.Information, new EventId(33, "AgentUnavailable"), "Hop {Hop}: no keys from the ssh-agent at {Socket}: {Reason}");

    private static readonly Action<ILogger, string, string, string, string, string, Exception?> HostKeyTrustedMessage =
        LoggerMessage.Define<string, string, string, string, string>(LogLevel.Debug, new EventId(40, "HostKeyTrusted"), "Hop {Hop}: host key of {HostName} ({KeyType} {Fingerprint}) trusted by {Source}");

    private static readonly Action<ILogger, string, string, string, string, string, Exception?> HostKeyAcceptedUnknownMessage =
        LoggerMessage.Define<string, string, string, string, string>(LogLevel.Warning, new EventId(41, "HostKeyAcceptedUnknown"), "Hop {Hop}: UNKNOWN host key of {HostName} ({KeyType} {Fingerprint}) accepted for this connection by {Policy}");

    private static readonly Action<ILogger, string, string, string, string, string, Exception?> HostKeyAddedMessage =
        LoggerMessage.Define<string, string, string, string, string>(LogLevel.Information, new EventId(42, "HostKeyAdded"), "Hop {Hop}: host key of {HostName} ({KeyType} {Fingerprint}) added to {KnownHosts}");

    private static readonly Action<ILogger, string, string, string, Exception?> HostKeySaveFailedMessage =
        LoggerMessage.Define<string, string, string>(LogLevel.Warning, new EventId(43, "HostKeySaveFailed"), "Hop {Hop}: host key of {HostName} trusted but could not be added to {KnownHosts}");

    private static readonly Action<ILogger, string, string, string, string, string, Exception?> HostKeyRejectedMessage =
        LoggerMessage.Define<string, string, string, string, string>(LogLevel.Warning, new EventId(44, "HostKeyRejected"), "Hop {Hop}: host key of {HostName} ({KeyType} {Fingerprint}) rejected: {Verdict}");

    private static readonly Action<ILogger, string, string, Exception?> HostKeyRekeyMessage =
        LoggerMessage.Define<string, string>(LogLevel.Trace, new EventId(45, "HostKeyRekey"), "Hop {Hop}: re-key presented the host key of {HostName} already trusted");

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

    /// <summary>Logs a key about to be offered: its source, algorithm and fingerprint, never its material.</summary>
    public static void KeyOffered(ILogger logger, string hop, string key) => KeyOfferedMessage(logger, hop, key, null);

    public static void KeySkipped(ILogger logger, string hop, string key, string reason) => KeySkippedMessage(logger, hop, key, reason, null);

    public static void KeysCapped(ILogger logger, string hop, int offered, int total, int maxAuthTries, string dropped) => KeysCappedMessage(logger, hop, offered, total, maxAuthTries, dropped, null);

    public static void AgentUnavailable(ILogger logger, string hop, string socket, string reason) => AgentUnavailableMessage(logger, hop, socket, reason, null);

    public static void HostKeyTrusted(ILogger logger, string hop, string hostName, string keyType, string fingerprint, string source) => HostKeyTrustedMessage(logger, hop, hostName, keyType, fingerprint, source, null);

    public static void HostKeyAcceptedUnknown(ILogger logger, string hop, string hostName, string keyType, string fingerprint, string policy) => HostKeyAcceptedUnknownMessage(logger, hop, hostName, keyType, fingerprint, policy, null);

    public static void HostKeyAdded(ILogger logger, string hop, string hostName, string keyType, string fingerprint, string knownHosts) => HostKeyAddedMessage(logger, hop, hostName, keyType, fingerprint, knownHosts, null);

    public static void HostKeySaveFailed(ILogger logger, string hop, string hostName, string knownHosts, Exception error) => HostKeySaveFailedMessage(logger, hop, hostName, knownHosts, error);

    public static void HostKeyRejected(ILogger logger, string hop, string hostName, string keyType, string fingerprint, string verdict) => HostKeyRejectedMessage(logger, hop, hostName, keyType, fingerprint, verdict, null);

    public static void HostKeyRekey(ILogger logger, string hop, string hostName) => HostKeyRekeyMessage(logger, hop, hostName, null);
}
