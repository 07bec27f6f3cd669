using System;
using Microsoft.Extensions.Logging;

namespace ParamikoJump.Logging;

/// <summary>
/// Every log line ParamikoJump writes, source-generated. Answers to prompts, passwords and passphrases are never
/// arguments here, and every text a server sent arrives already escaped (<see cref="ServerText.Escape"/>).
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "Hop {Hop}: forward opened on 127.0.0.1:{LocalPort}")]
    public static partial void TunnelOpened(ILogger logger, string hop, int localPort);

    [LoggerMessage(2, LogLevel.Debug, "Hop {Hop}: forward on 127.0.0.1:{LocalPort} closed")]
    public static partial void TunnelClosed(ILogger logger, string hop, int localPort);

    [LoggerMessage(3, LogLevel.Trace, "Hop {Hop}: forward serves its own session's connection from {Peer}")]
    public static partial void TunnelConnection(ILogger logger, string hop, string peer);

    [LoggerMessage(4, LogLevel.Warning, "Hop {Hop}: forward error: {Error}")]
    public static partial void TunnelError(ILogger logger, string hop, string error);

    /// <summary>The first refusal of a burst; the others, less than the gap apart, are counted (<see cref="TunnelRefusedMore"/>).</summary>
    [LoggerMessage(5, LogLevel.Warning, "Hop {Hop}: refused a connection to its forward on 127.0.0.1:{LocalPort} from {Peer}: {Reason} (further refusals less than {BurstGapSeconds} s apart are counted, not logged one by one)")]
    public static partial void TunnelRefused(ILogger logger, string hop, int localPort, string peer, string reason, double burstGapSeconds);

    [LoggerMessage(6, LogLevel.Warning, "Hop {Hop}: refused {Count} more connection(s) to its forward on 127.0.0.1:{LocalPort}, the last from {Peer}")]
    public static partial void TunnelRefusedMore(ILogger logger, string hop, int localPort, int count, string peer);

    /// <summary>Logged once per process: every hop behind a jump then rides the loopback TCP forward.</summary>
    [LoggerMessage(7, LogLevel.Warning, "Hops behind a jump ride a loopback TCP forward, not a private socket pair, because {Reason}; the forward serves only each hop's own connection (README, \"The tunnel\")")]
    public static partial void TunnelFallback(ILogger logger, string reason);

    /// <summary>Logged once per process: where the hop's socket cannot be seen, its forward then serves each attempt's first connection.</summary>
    [LoggerMessage(66, LogLevel.Warning, "The loopback TCP forward cannot tell which process made a connection, because {Reason}; it serves the first connection of each attempt, whoever made it (README, \"The tunnel\")")]
    public static partial void TunnelOwnerCheckUnavailable(ILogger logger, string reason);

    [LoggerMessage(8, LogLevel.Debug, "Hop {Hop}: tunnel through its jump opened on a private socket pair (nothing listens)")]
    public static partial void PrivateTunnelOpened(ILogger logger, string hop);

    [LoggerMessage(9, LogLevel.Debug, "Hop {Hop}: private tunnel closed")]
    public static partial void PrivateTunnelClosed(ILogger logger, string hop);

    [LoggerMessage(10, LogLevel.Information, "Hop {Hop}: connecting")]
    public static partial void HopConnecting(ILogger logger, string hop);

    [LoggerMessage(11, LogLevel.Information, "Hop {Hop}: connected ({ServerVersion})")]
    public static partial void HopConnected(ILogger logger, string hop, string serverVersion);

    [LoggerMessage(12, LogLevel.Information, "Hop {Hop}: closed")]
    public static partial void HopClosed(ILogger logger, string hop);

    [LoggerMessage(13, LogLevel.Warning, "Hop {Hop}: failed at stage {Stage}")]
    public static partial void HopFailed(ILogger logger, string hop, HopStage stage, Exception error);

    [LoggerMessage(14, LogLevel.Warning, "Hop {Hop}: {Budget} budget of {Seconds} s ran out during stage {Stage}; the attempt was cut")]
    public static partial void StageTimedOut(ILogger logger, string hop, string budget, double seconds, HopStage stage);

    [LoggerMessage(15, LogLevel.Information, "Hop {Hop}: login banner: {Banner}")]
    public static partial void LoginBanner(ILogger logger, string hop, string banner);

    [LoggerMessage(16, LogLevel.Warning, "Hop {Hop}: no answer to {Unanswered} keep-alive requests in {Seconds} s: the hop is declared dead and its connection cut")]
    public static partial void HopUnresponsive(ILogger logger, string hop, int unanswered, double seconds);

    [LoggerMessage(17, LogLevel.Warning, "Hop {Hop}: its jump was lost; closing this hop's connection")]
    public static partial void JumpLost(ILogger logger, string hop);

    /// <summary>The server's words for a channel it refused: SSH.NET closes a refused forwarded connection without any.</summary>
    [LoggerMessage(18, LogLevel.Warning, "Hop {Hop}: the server refused to open a channel (a forwarded connection, or a hop through this one): {Reason} (code {ReasonCode})")]
    public static partial void ChannelRefused(ILogger logger, string hop, string reason, uint reasonCode);

    [LoggerMessage(20, LogLevel.Debug, "Hop {Hop}: {Method} authentication: {Result}")]
    public static partial void AuthMethod(ILogger logger, string hop, string method, string result);

    /// <summary>Logs a round's prompt texts (what the server asked, escaped), never the answers.</summary>
    [LoggerMessage(21, LogLevel.Debug, "Hop {Hop}: keyboard-interactive round {Round} with {PromptCount} prompt(s): {Prompts}")]
    public static partial void AuthRound(ILogger logger, string hop, int round, int promptCount, string prompts);

    /// <summary>Logs a key about to be offered: its source, algorithm and fingerprint, never its material.</summary>
    [LoggerMessage(30, LogLevel.Debug, "Hop {Hop}: offering {Key}")]
    public static partial void KeyOffered(ILogger logger, string hop, string key);

    [LoggerMessage(31, LogLevel.Information, "Hop {Hop}: skipping key {Key}: {Reason}")]
    public static partial void KeySkipped(ILogger logger, string hop, string key, string reason);

    [LoggerMessage(32, LogLevel.Information, "Hop {Hop}: offering {Offered} of {Total} public keys to stay within MaxAuthTries {MaxAuthTries}; not offered: {Dropped}")]
    public static partial void KeysCapped(ILogger logger, string hop, int offered, int total, int maxAuthTries, string dropped);

    [LoggerMessage(33, LogLevel.Information, "Hop {Hop}: no keys from the ssh-agent at {Socket}: {Reason}")]
    public static partial void AgentUnavailable(ILogger logger, string hop, string socket, string reason);

    [LoggerMessage(34, LogLevel.Debug, "Hop {Hop}: IdentitiesOnly: {Count} key(s) of the ssh-agent not offered, being none of this hop's identities")]
    public static partial void AgentKeysFiltered(ILogger logger, string hop, int count);

    [LoggerMessage(40, LogLevel.Debug, "Hop {Hop}: host key of {HostName} ({KeyType} {Fingerprint}) trusted by {Source}")]
    public static partial void HostKeyTrusted(ILogger logger, string hop, string hostName, string keyType, string fingerprint, string source);

    [LoggerMessage(41, LogLevel.Warning, "Hop {Hop}: UNKNOWN host key of {HostName} ({KeyType} {Fingerprint}) accepted for this connection by {Policy}")]
    public static partial void HostKeyAcceptedUnknown(ILogger logger, string hop, string hostName, string keyType, string fingerprint, string policy);

    [LoggerMessage(42, LogLevel.Information, "Hop {Hop}: host key of {HostName} ({KeyType} {Fingerprint}) added to {KnownHosts}")]
    public static partial void HostKeyAdded(ILogger logger, string hop, string hostName, string keyType, string fingerprint, string knownHosts);

    [LoggerMessage(43, LogLevel.Warning, "Hop {Hop}: host key of {HostName} trusted but could not be added to {KnownHosts}")]
    public static partial void HostKeySaveFailed(ILogger logger, string hop, string hostName, string knownHosts, Exception error);

    [LoggerMessage(44, LogLevel.Warning, "Hop {Hop}: host key of {HostName} ({KeyType} {Fingerprint}) rejected: {Verdict}")]
    public static partial void HostKeyRejected(ILogger logger, string hop, string hostName, string keyType, string fingerprint, string verdict);

    [LoggerMessage(45, LogLevel.Trace, "Hop {Hop}: re-key presented the host key of {HostName} already trusted")]
    public static partial void HostKeyRekey(ILogger logger, string hop, string hostName);

    [LoggerMessage(50, LogLevel.Warning, "Hop {Hop}: '{Command}' sent its exit status but its channel stayed open for {Seconds} s; closed by the client")]
    public static partial void CommandChannelForcedClosed(ILogger logger, string hop, string command, double seconds);

    [LoggerMessage(51, LogLevel.Warning, "Hop {Hop}: '{Command}' had more than {Limit} bytes of output waiting unread; cancelled")]
    public static partial void CommandOutputOverflow(ILogger logger, string hop, string command, long limit);

    [LoggerMessage(52, LogLevel.Warning, "Hop {Hop}: '{Command}': the server sent {Size} bytes on channel {Channel} with {Remaining} bytes of window left; closed")]
    public static partial void ChannelWindowExceeded(ILogger logger, string hop, string command, uint channel, int size, long remaining);

    [LoggerMessage(53, LogLevel.Warning, "Hop {Hop}: {What} on channel {Channel}: the server sent {Size} bytes with {Remaining} bytes of window left; closed")]
    public static partial void ChannelWindowIgnored(ILogger logger, string hop, string what, uint channel, int size, long remaining);

    [LoggerMessage(54, LogLevel.Warning, "Hop {Hop}: {What} on channel {Channel}: the server announced an SFTP packet of {Length} bytes, more than the {Window}-byte window can take whole; closed")]
    public static partial void SftpPacketUnfinishable(ILogger logger, string hop, string what, uint channel, long length, long window);

    [LoggerMessage(60, LogLevel.Debug, "ssh_config {Where}: ignoring unknown option \"{Keyword}\" (IgnoreUnknown)")]
    public static partial void ConfigIgnoredUnknown(ILogger logger, string where, string keyword);

    [LoggerMessage(61, LogLevel.Debug, "ssh_config {Where}: deprecated or unsupported option \"{Keyword}\" ignored, as ssh ignores it")]
    public static partial void ConfigDeprecated(ILogger logger, string where, string keyword);

    [LoggerMessage(62, LogLevel.Information, "ssh_config {Where}: Match exec '{Command}' exited with {ExitCode}")]
    public static partial void ConfigMatchExec(ILogger logger, string where, string command, int exitCode);

    [LoggerMessage(63, LogLevel.Information, "ssh_config {Where}: {Keyword} applies to {Host} but ParamikoJump does not use it; ignored")]
    public static partial void ConfigKeywordIgnored(ILogger logger, string where, string keyword, string host);

    [LoggerMessage(64, LogLevel.Information, "ssh_config: {Host}: {What} '{Path}' does not exist; skipped, as ssh skips it")]
    public static partial void ConfigFileMissing(ILogger logger, string host, string what, string path);

    [LoggerMessage(65, LogLevel.Information, "ssh_config: {Host}: {Note}")]
    public static partial void ConfigNote(ILogger logger, string host, string note);

    [LoggerMessage(260, LogLevel.Information, "Hop {Hop}: forwarding an agent ({AgentSocket}) to commands on this hop")]
    public static partial void AgentForwardingOn(ILogger logger, string hop, string agentSocket);

    [LoggerMessage(261, LogLevel.Warning, "Hop {Hop}: agent forwarding is on but not possible: {Reason}; commands run without it")]
    public static partial void AgentForwardingUnavailable(ILogger logger, string hop, string reason);

    [LoggerMessage(262, LogLevel.Debug, "Hop {Hop}: the server opened agent channel {Channel}; relaying it to the local agent")]
    public static partial void AgentChannelOpened(ILogger logger, string hop, uint channel);

    [LoggerMessage(263, LogLevel.Warning, "Hop {Hop}: refused an agent channel the server opened: {Reason}")]
    public static partial void AgentChannelRefused(ILogger logger, string hop, string reason);

    [LoggerMessage(264, LogLevel.Warning, "Hop {Hop}: the server refused to set {Variable} (SendEnv/SetEnv) for '{Command}'; it runs without it, as with ssh")]
    public static partial void EnvironmentVariableRefused(ILogger logger, string hop, string variable, string command);

    [LoggerMessage(265, LogLevel.Warning, "Hop {Hop}: SendEnv/SetEnv variables {Variables} not sent: this build cannot send requests before exec")]
    public static partial void EnvironmentNotSent(ILogger logger, string hop, string variables);

    [LoggerMessage(280, LogLevel.Information, "Hop {Hop}: SSH_AUTH_SOCK is not set; using the agent at {Agent}, the first running of {Candidates}")]
    public static partial void WindowsAgentFound(ILogger logger, string hop, string agent, string candidates);

    [LoggerMessage(270, LogLevel.Information, "Hop {Hop}: {Option} names {Algorithms}, which SSH.NET does not implement; they are not offered")]
    public static partial void AlgorithmsNotImplemented(ILogger logger, string hop, string option, string algorithms);
    /// <summary>Logged once per process per row of SshNet/SshNetSeams.cs that does not resolve against the SSH.NET loaded.</summary>
    [LoggerMessage(300, LogLevel.Warning, "SSH.NET seam \"{Seam}\" does not hold in SSH.NET {VersionFound} (ParamikoJump was built against {PinnedTo}): {Missing}. Fallback: {Consequence} (README, \"Seams\")")]
    public static partial void SeamFallback(ILogger logger, string seam, string consequence, string versionFound, string missing, string pinnedTo);
}
