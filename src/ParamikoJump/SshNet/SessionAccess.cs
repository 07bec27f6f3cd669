using System;
using System.Net.Sockets;
using System.Reflection;
using Renci.SshNet;
using Renci.SshNet.Messages;
using Renci.SshNet.Messages.Connection;
using Renci.SshNet.Messages.Transport;

namespace ParamikoJump.SshNet;

/// <summary>
/// The SSH.NET <see cref="Session"/> behind a client, and the three things ParamikoJump does with it that SSH.NET
/// keeps internal: find it (<c>BaseClient.Session</c>), send a message of our choosing on it
/// (<c>Session.SendMessage</c>), and cut its socket (<c>Session._socket</c>).
/// </summary>
/// <remarks>
/// What depends on it: the jump's own words for a refused channel and the loss of a jump (events of the session),
/// rebuilding a forward after the jump reconnected, keep-alives that detect a dead peer, declaring a silent hop
/// dead, and the SSH_MSG_IGNORE that spares a command through a jump 40 ms of delayed ACK. Fallbacks when an SSH.NET
/// upgrade breaks a member (rows of <see cref="SshNetSeams"/>, pinned by SshNetSeamTests): without the session, errors lose the
/// jump's reason and keep-alive is SSH.NET's own SSH_MSG_IGNORE, which cannot detect a dead peer; without
/// SendMessage, the same; without the socket, a silent hop is disconnected instead of cut, which can wait on a
/// send to the dead peer.
/// </remarks>
internal static class SessionAccess
{
    private static readonly PropertyInfo? SessionProperty = SshNetSeams.ClientSession.IsAvailable ? SshNetSeams.ClientSession.Members : null;

    private static readonly FieldInfo? SocketField = SshNetSeams.SessionSocket.IsAvailable ? SshNetSeams.SessionSocket.Members : null;

    private static readonly Action<Session, Message>? SendMessageCall = SshNetSeams.SendMessage.IsAvailable ? SshNetSeams.SendMessage.Members : null;

    private static readonly ConstructorInfo? GlobalRequestConstructor = SshNetSeams.GlobalRequest.IsAvailable ? SshNetSeams.GlobalRequest.Members : null;

    /// <summary>Whether messages of our choosing can be sent (keep-alive requests, the IGNORE nudge).</summary>
    public static bool CanSend => SendMessageCall is not null;

    /// <summary>Whether a session's socket can be cut.</summary>
    public static bool CanCutSocket => SocketField is not null;

    public static Session? TryGetSession(BaseClient client)
    {
        try
        {
            // The client's session may stand behind ParamikoJump's own proxy (ChannelWindows).
            return ChannelWindows.Unwrap(SessionProperty?.GetValue(client)) as Session;
        }
        catch (TargetInvocationException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>Sends a message on the session; false when the seam is missing or the session is gone.</summary>
    public static bool TrySend(Session session, Message message)
    {
        if (SendMessageCall is null)
        {
            return false;
        }

        try
        {
            SendMessageCall(session, message);
            return true;
        }
        catch (Exception ex) when (ex is Renci.SshNet.Common.SshException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Sends a message on the session, failing as SSH.NET's own send does (a lost connection: <see cref="Renci.SshNet.Common.SshConnectionException"/>).</summary>
    /// <exception cref="InvalidOperationException">The seam is missing (check <see cref="CanSend"/> first).</exception>
    public static void Send(Session session, Message message) =>
        (SendMessageCall ?? throw new InvalidOperationException("Session.SendMessage is not available in this SSH.NET."))(session, message);

    /// <summary>An SSH_MSG_IGNORE, which asks for no answer.</summary>
    public static Message Ignore() => new IgnoreMessage();

    /// <summary>A global request the server must answer, success or failure (RFC 4254 §4); null if the seam is missing.</summary>
    public static Message? GlobalRequest(string name, bool wantReply) =>
        GlobalRequestConstructor?.Invoke([System.Text.Encoding.ASCII.GetBytes(name), wantReply]) as Message;

    /// <summary>The session's socket, or null.</summary>
    public static Socket? TryGetSocket(Session session) => CanCutSocket ? SocketField!.GetValue(session) as Socket : null;

    /// <summary>
    /// Shuts the session's socket down both ways: its receive loop ends, SSH.NET fails every wait on the session and
    /// raises <see cref="Session.ErrorOccured"/>, and a send blocked on a dead peer returns. False if the seam is missing.
    /// </summary>
    public static bool TryCutSocket(Session session)
    {
        if (!CanCutSocket || SocketField!.GetValue(session) is not Socket socket)
        {
            return false;
        }

        Transport.Cut(socket);
        return true;
    }
}
