using System;
using Microsoft.Extensions.Logging;
using ParamikoJump.Logging;
using Renci.SshNet;

namespace ParamikoJump.Hops;

/// <summary>
/// Keeps a hop's <see cref="ConnectionInfo"/> to the hop's own client. A plain SSH.NET client built on it
/// (<c>new SftpClient(target.ConnectionInfo)</c>) would log in without the host-key check, which lives on the
/// ParamikoJump client. SSH.NET asks
/// <see cref="ConnectionInfo.LoggerFactory"/> for the new session's logger in <c>Session</c>'s constructor, on the
/// thread that called Connect, right after <c>OnConnecting</c>: the one moment a ConnectionInfo learns it is about to
/// be used. The hop opens the gate for its own connect; any other client fails there, before a byte is sent, with
/// an error that names the class to use instead.
/// </summary>
/// <remarks>
/// Fallback if an SSH.NET upgrade stops asking (pinned by SshNetSeamTests): through a jump the other client still
/// cannot reach the hop, only with SSH.NET's vaguer error: the ConnectionInfo of a hop on the private tunnel says
/// 127.0.0.1 port 0, which refuses at once, and the TCP fallback's forward refuses any socket but the hop's own.
/// </remarks>
internal static class SessionCreationGate
{
    private static readonly string SessionCategory = typeof(Session).FullName!;

    [ThreadStatic]
    private static ConnectionInfo? t_admitted;

    /// <summary>Guards <paramref name="info"/>, which must be the hop's own, not one the user still holds.</summary>
    public static void Install(ConnectionInfo info, HopIdentity hop) => info.LoggerFactory = new Gate(info.LoggerFactory, info, hop);

    /// <summary>The calling thread is about to create the hop's own session on <paramref name="info"/>.</summary>
    public static void Open(ConnectionInfo info)
    {
        if (info.LoggerFactory is Gate)
        {
            t_admitted = info;
        }
    }

    /// <summary>The attempt ended before a session was created.</summary>
    public static void Close(ConnectionInfo info)
    {
        if (ReferenceEquals(t_admitted, info))
        {
            t_admitted = null;
        }
    }

    private sealed class Gate(ILoggerFactory? inner, ConnectionInfo info, HopIdentity hop) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName)
        {
            if (categoryName == SessionCategory)
            {
                if (!ReferenceEquals(t_admitted, info))
                {
                    throw new ParamikoJumpException(
                        $"This ConnectionInfo belongs to a ParamikoJump client, which alone checks the host key of {hop.KnownHostsName}; another SSH.NET client built on it would skip that check. Use SshJumpClient, SftpJumpClient or ScpJumpClient with the same settings and jump, or OpenSftp() / OpenScp() on the connected client.",
                        hop,
                        HopStage.Setup);
                }

                t_admitted = null;
            }

            // SSH.NET logs the server's own words (version, disconnect reason): the session gets them escaped.
            return SshNetLogging.Escaping((inner ?? SshNetLogging.Global).CreateLogger(categoryName), allowLineBreaks: false);
        }

        public void AddProvider(ILoggerProvider provider) => (inner ?? SshNetLogging.Global).AddProvider(provider);

        public void Dispose()
        {
            // Not ours: the user's factory, or SSH.NET's global one.
        }
    }
}
