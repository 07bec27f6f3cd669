using System;

namespace ParamikoJump.SshNet;

/// <summary>
/// A command's claim on the flow control of the channel SSH.NET is about to create for it (<c>ChannelFlow</c>):
/// SSH.NET's <c>SshCommand</c> creates its channel in its constructor, so the claim stands while it is constructed.
/// </summary>
internal sealed class FlowClaim
{
    /// <summary>Whether data past the window is kept (the command has an output cap of its own).</summary>
    public bool TolerateOverrun { get; set; }

    /// <summary>Whether the reader takes the channel's stderr (a command's); if not (SCP), it is taken as it arrives.</summary>
    public bool KeepsExtendedData { get; init; } = true;

    /// <summary>Told, on the session's receive thread, when the server sends past the window.</summary>
    public Action<WindowViolation>? OnViolation { get; set; }

    /// <summary>Re-opens the window by what the reader took; null while no flow has taken the channel.</summary>
    public Action<int>? Consumed { get; set; }

    /// <summary>Runs <paramref name="create"/> with <paramref name="claim"/> on the next session channel the thread creates.</summary>
    public static T During<T>(FlowClaim claim, Func<T> create)
    {
#if NET8_0_OR_GREATER
        using (ChannelFlow.ClaimNextCommand(claim))
        {
            return create();
        }
#else
        _ = claim;
        return create();
#endif
    }
}

/// <summary>
/// A packet of <see cref="Size"/> bytes arrived on a channel with only <see cref="Remaining"/> of <see cref="Window"/> left;
/// or, when <see cref="UnfinishableSftpPacket"/> is not 0, an SFTP packet of that length was announced that the window
/// can never take whole.
/// </summary>
internal readonly record struct WindowViolation(uint LocalChannel, int Size, long Remaining, long Window, long UnfinishableSftpPacket = 0)
{
    /// <summary>The error the channel's user gets: <paramref name="what"/> ran on it, <paramref name="hop"/> is its server's hop when known.</summary>
    public ChannelWindowException Error(string what, HopIdentity? hop) => UnfinishableSftpPacket > 0
        ? new ChannelWindowException(what, LocalChannel, Window, UnfinishableSftpPacket, hop)
        : new ChannelWindowException(what, LocalChannel, Window, hop);
}

/// <summary>
/// The hop's word on a server that sent past a channel's window: logs it and makes the error the channel's user gets,
/// naming the hop. <paramref name="what"/> says what ran on the channel ("An SFTP session", "An SCP transfer", ...).
/// </summary>
internal delegate ChannelWindowException WindowViolationReport(string what, WindowViolation violation);
