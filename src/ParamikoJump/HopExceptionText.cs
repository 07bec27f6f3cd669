using System;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ParamikoJump;

/// <summary>The one format of every ParamikoJump error message.</summary>
internal static class HopExceptionText
{
    /// <summary><c>{hop}: {message} [stage: X]</c>.</summary>
    public static string Describe(string message, HopIdentity? hop, HopStage stage) =>
        hop is null ? $"{message} [stage: {stage}]" : $"{hop}: {message} [stage: {stage}]";

    /// <summary>
    /// As <see cref="Describe"/>, preceded by the message of the SSH.NET exception this error stands for, so code
    /// that matched SSH.NET's text (<c>Permission denied (password).</c>) still finds it at the start. SSH.NET's
    /// messages carry server text (disconnect reasons), so it is escaped.
    /// </summary>
    public static string DescribeAfterSshNet(string message, HopIdentity? hop, HopStage stage, Exception? innerException) =>
        SshNetMessage(innerException) is { Length: > 0 } sshNet
            ? $"{sshNet} {Describe(message, hop, stage)}"
            : Describe(message, hop, stage);

    /// <summary>SSH.NET's own message, when <paramref name="error"/> is an SSH.NET exception (not one of ours).</summary>
    public static string? SshNetMessage(Exception? error) =>
        error is SshException and not IHopFailure ? ServerText.Escape(FirstLine(error.Message)) : null;

    // SSH.NET's "closed before the banner" message adds an RFC link on further lines; its first line is what users match.
    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return (end < 0 ? message : message.Substring(0, end)).Trim();
    }

    /// <summary>The reason code of an SSH.NET connection error, for the error that stands for it.</summary>
    public static DisconnectReason ReasonOf(Exception? error, DisconnectReason otherwise = DisconnectReason.None) =>
        error is SshConnectionException connection ? connection.DisconnectReason : otherwise;
}
