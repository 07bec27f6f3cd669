using System;
using System.Linq;
using System.Reflection;
using System.Text;
using Renci.SshNet;
using Renci.SshNet.Messages;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.SshNet;

/// <summary>
/// What agent forwarding (ssh -A) needs of SSH.NET, which has none: a session that survives the server opening an
/// <c>auth-agent@openssh.com</c> channel, and the <c>auth-agent-req@openssh.com</c> request that asks for it.
/// SSH.NET parses every SSH_MSG_CHANNEL_OPEN into a <see cref="ChannelOpenMessage"/>, whose <c>LoadData</c> throws
/// <see cref="NotSupportedException"/> for any channel type but session, x11, direct-tcpip and forwarded-tcpip; the
/// exception ends the session's receive loop and with it the connection. So on a session that forwards the agent the
/// message factory's entry for message 90 (the private <c>Session._sshMessageFactory</c>, its private
/// <c>_enabledMessagesByNumber</c> and the private nested <c>MessageMetadata&lt;T&gt;</c>) is pointed at
/// <see cref="AgentAwareChannelOpenMessage"/>, which reads an agent open itself and leaves every other type to
/// SSH.NET; channel opens are enabled with the public <see cref="Session.RegisterMessage"/> (SSH.NET enables them
/// only while a remote forward runs). The factory refills that entry from its static table after every key exchange, so the entry is set
/// again on the internal <c>Session.NewKeysReceived</c>, raised on the receive thread before the next message is read.
/// Only this session's factory is touched, never SSH.NET's static table.
/// </summary>
/// <remarks>
/// Fallback when an SSH.NET upgrade moves any of this (a row of <see cref="SshNetSeams"/>): forwarding is not requested, so
/// the server never opens an agent channel, and a log line says so once per hop.
/// </remarks>
internal static class AgentChannelOpens
{
    /// <summary>The channel type OpenSSH opens for each connection to the forwarded agent socket.</summary>
    public const string ChannelType = "auth-agent@openssh.com";

    private const byte ChannelOpenNumber = 90;
    private const byte ChannelOpenId = 13;
    private static readonly FieldInfo? FactoryField = SshNetSeams.AgentChannelOpens.Members.Factory;
    private static readonly FieldInfo? EnabledField = SshNetSeams.AgentChannelOpens.Members.Enabled;
    private static readonly FieldInfo? ActivatedField = SshNetSeams.AgentChannelOpens.Members.Activated;
    private static readonly EventInfo? NewKeysEvent = SshNetSeams.AgentChannelOpens.Members.NewKeys;
    private static readonly object? Metadata = CreateMetadata();

    /// <summary>Whether a session can be made to accept agent channels.</summary>
    public static bool CanInstall => Metadata is not null && SshNetSeams.AgentChannelOpens.IsAvailable && SessionAccess.CanSend;

    /// <summary>
    /// Makes <paramref name="session"/> parse agent channel opens instead of dying on them, now and after every re-key.
    /// Returns a handle that undoes the re-key hook, or null when the seam is missing.
    /// </summary>
    public static IDisposable? TryInstall(Session session)
    {
        if (!CanInstall)
        {
            return null;
        }

        EventHandler<MessageEventArgs<Renci.SshNet.Messages.Transport.NewKeysMessage>> onNewKeys = (_, _) => Patch(session, enable: false);
        NewKeysEvent!.AddMethod!.Invoke(session, [onNewKeys]);
        Enable(session);
        return new Unhook(session, onNewKeys);
    }

    /// <summary>
    /// Lets the session take channel opens at all (SSH.NET enables them only while a remote forward runs, and disables
    /// them when one stops) and parse agent ones. Called before each command that asks for forwarding.
    /// </summary>
    public static void Enable(Session session)
    {
        if (CanInstall && FactoryField!.GetValue(session) is { } factory && ActivatedField!.GetValue(factory) is bool[] activated)
        {
            // Marked active as Session.RegisterMessage marks it (which refuses once our entry is in place), so the
            // factory enables it again after a re-key and the NewKeysReceived hook puts our entry back.
            activated[ChannelOpenId] = true;
            Patch(session, enable: true);
        }
    }

    /// <summary>The <c>auth-agent-req@openssh.com</c> request for a session channel (the server's number), no reply wanted, as ssh sends it.</summary>
    public static Message AgentRequest(uint serverChannel) => new ChannelRequestMessage(serverChannel, new AgentForwardingRequestInfo());

    private static void Patch(Session session, bool enable)
    {
        if (FactoryField!.GetValue(session) is not { } factory || EnabledField!.GetValue(factory) is not Array enabled)
        {
            return;
        }

        // After a re-key, an entry left empty means channel opens are not valid now: keep it so.
        if (enable || enabled.GetValue(ChannelOpenNumber) is not null)
        {
            enabled.SetValue(Metadata, ChannelOpenNumber);
        }
    }

    private static object? CreateMetadata()
    {
        var constructor = SshNetSeams.AgentChannelOpens.IsAvailable ? SshNetSeams.AgentChannelOpens.Members.Metadata : null;
        try
        {
            // SSH.NET's id for SSH_MSG_CHANNEL_OPEN in its table (pinned by AgentChannelOpensTests).
            return constructor?.Invoke([ChannelOpenId, "SSH_MSG_CHANNEL_OPEN", ChannelOpenNumber]);
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    /// <summary>
    /// SSH_MSG_CHANNEL_OPEN as SSH.NET reads it, except that <c>auth-agent@openssh.com</c> (which has no type-specific
    /// data) is read here instead of failing the session; SSH.NET raises <see cref="Session.ChannelOpenReceived"/> with it.
    /// </summary>
    internal sealed class AgentAwareChannelOpenMessage : ChannelOpenMessage
    {
        /// <summary>Whether this is an agent channel open (then <see cref="ChannelOpenMessage.Info"/> is null).</summary>
        public bool IsAgent { get; private set; }

        /// <summary>The server's number for the channel.</summary>
        public uint ServerChannel { get; private set; }

        /// <summary>The server's window for the channel.</summary>
        public uint ServerWindow { get; private set; }

        /// <summary>The largest packet the server takes on the channel.</summary>
        public uint ServerMaximumPacket { get; private set; }

        protected override void LoadData()
        {
            var start = DataStream.Position;
            var type = Encoding.ASCII.GetString(ReadBinary());
            if (type != AgentChannelOpens.ChannelType)
            {
                DataStream.Position = start;
                base.LoadData();
                return;
            }

            IsAgent = true;
            ServerChannel = ReadUInt32();
            LocalChannelNumber = ServerChannel;
            ServerWindow = ReadUInt32();
            ServerMaximumPacket = ReadUInt32();
        }
    }

    private sealed class AgentForwardingRequestInfo : RequestInfo
    {
        public AgentForwardingRequestInfo()
        {
            WantReply = false;
        }

        public override string RequestName => "auth-agent-req@openssh.com";
    }

    private sealed class Unhook(Session session, EventHandler<MessageEventArgs<Renci.SshNet.Messages.Transport.NewKeysMessage>> handler) : IDisposable
    {
        public void Dispose() => NewKeysEvent!.RemoveMethod!.Invoke(session, [handler]);
    }
}
