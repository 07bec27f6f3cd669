namespace ParamikoJump;

/// <summary>
/// A server sent more on a channel than the window ParamikoJump gave it: it ignores SSH's flow control (RFC 4254,
/// 5.2). The channel was closed and what came past the window dropped, so memory stays bounded. For a server known to
/// do this, <see cref="HopSettings.MaxCommandOutputBuffer"/> accepts a command's output up to a cap instead. Also
/// raised for an SFTP packet announced larger than the window can take whole and than an SFTP message may be, which a
/// server keeping to the window could never finish.
/// </summary>
public sealed class ChannelWindowException : ParamikoJumpException
{
    /// <summary>Creates the error.</summary>
    /// <param name="what">What ran on the channel (a command, a forwarded connection).</param>
    /// <param name="channel">The channel's local number.</param>
    /// <param name="window">The window the server was given, in bytes.</param>
    /// <param name="hop">The hop whose server sent it, when known.</param>
    public ChannelWindowException(string what, uint channel, long window, HopIdentity? hop)
        : base(
            $"{what} on channel {channel}: the server sent data past the {window}-byte window it was given, ignoring SSH flow control; the channel was closed and what came past the window dropped.",
            hop,
            HopStage.Session)
    {
        Channel = channel;
        Window = window;
    }

    /// <summary>
    /// Creates the error for an SFTP packet announced larger than the window can ever take whole and than an SFTP message
    /// may be: a server keeping to the window could never finish it, so the channel would otherwise wait for its timeout.
    /// </summary>
    internal ChannelWindowException(string what, uint channel, long window, long announcedSftpPacket, HopIdentity? hop)
        : base(
            $"{what} on channel {channel}: the server announced an SFTP packet of {announcedSftpPacket} bytes, more than the {window}-byte window it was given can take whole and more than an SFTP message may be, so it could not finish it without ignoring SSH flow control; the channel was closed.",
            hop,
            HopStage.Session)
    {
        Channel = channel;
        Window = window;
    }

    /// <summary>The channel's local number.</summary>
    public uint Channel { get; }

    /// <summary>The window the server was given, in bytes.</summary>
    public long Window { get; }
}
