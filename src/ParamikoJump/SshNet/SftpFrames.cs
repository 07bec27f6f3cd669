#if NET8_0_OR_GREATER
using System;

namespace ParamikoJump.SshNet;

/// <summary>
/// Follows the packets of an SFTP channel (each a 4-byte length, then that many bytes) and tells which received bytes
/// SSH.NET's <c>SftpSession</c> has parsed: it parses a packet as soon as its last byte arrives, and holds the bytes
/// of a packet not yet complete. <see cref="ChannelFlow"/> re-opens the window only for parsed bytes, so an SFTP
/// packet the server never finishes holds at most the window and a server that keeps sending past it is caught,
/// instead of SSH.NET buffering a packet of any announced length.
/// </summary>
internal sealed class SftpFrames
{
    /// <summary>The largest SFTP message OpenSSH's sftp client and server accept (SFTP_MAX_MSG_LENGTH).</summary>
    private const long LargestMessage = 256 * 1024;

    private readonly long _fitsWithin;
    private int _lengthBytesLeft = 4;
    private long _length;
    private long _bodyLeft;
    private long _held;
    private bool _streaming;

    /// <summary>
    /// The announced length of an SFTP packet that can never be parsed, 0 while none: too large to fit in the window
    /// beside what is not yet granted back, and larger than any SFTP message may be. A server that keeps to the window
    /// could not finish it, so the channel would wait for its timeout; the flow fails it at once instead.
    /// </summary>
    public long Unfinishable { get; private set; }

    /// <param name="window">The channel's window.</param>
    /// <param name="unreportedAtMost">The most the flow may have parsed but not yet granted back (its adjust threshold).</param>
    public SftpFrames(long window, long unreportedAtMost) => _fitsWithin = window - unreportedAtMost;

    /// <summary>
    /// Takes the next bytes of the channel and returns how many received bytes are parsed now. A packet too large to
    /// fit in the window beside what is not yet granted back, but no larger than an SFTP message may be, counts as
    /// parsed as it arrives: a server that keeps to the window could not otherwise finish it. A larger one stops the
    /// count and is reported through <see cref="Unfinishable"/>.
    /// </summary>
    public long Take(ReadOnlySpan<byte> data)
    {
        long parsed = 0;
        while (!data.IsEmpty)
        {
            if (_lengthBytesLeft > 0)
            {
                _length = (_length << 8) | data[0];
                data = data[1..];
                _held++;
                if (--_lengthBytesLeft > 0)
                {
                    continue;
                }

                _bodyLeft = _length;
                if (4 + _length > _fitsWithin && _length > LargestMessage)
                {
                    Unfinishable = _length;
                    return parsed;
                }

                _streaming = 4 + _length > _fitsWithin;
            }

            var taken = (int)Math.Min(_bodyLeft, data.Length);
            data = data[taken..];
            _bodyLeft -= taken;
            _held += taken;
            if (_streaming || _bodyLeft == 0)
            {
                parsed += _held;
                _held = 0;
            }

            if (_bodyLeft == 0)
            {
                _lengthBytesLeft = 4;
                _length = 0;
            }
        }

        return parsed;
    }
}
#endif
