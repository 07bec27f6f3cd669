using System;
using System.IO;
using System.Threading.Tasks;
using ParamikoJump.SshNet;

namespace ParamikoJump.Execution;

/// <summary>
/// A command's stdin. SSH.NET accepts and drops writes once the command has exited, cannot open stdin at all for a
/// command that exited at once, and sends no end-of-file when a stdin it opened is closed unused; here the first two
/// fail loudly, as writing to an exited process's stdin does, and closing always sends end-of-file.
/// </summary>
internal sealed class RemoteStdin(Stream? channel, Task completion, string commandText) : Stream
{
    private bool _written;
    private bool _closed;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => channel is not null && !completion.IsCompleted;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Open().Write(buffer, offset, count);
        _written |= count > 0;
        Telemetry.Instruments.CommandInputBytes.Add(count);
    }

    public override void Flush() => channel?.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // Closing stdin sends EOF to the command; SSH.NET's stream sends it only after a write.
        if (disposing && channel is not null && !_closed)
        {
            _closed = true;
            if (!_written && !completion.IsCompleted)
            {
                CommandChannel.TrySendEof(channel);
            }

            channel.Dispose();
        }

        base.Dispose(disposing);
    }

    private Stream Open() => channel is not null && !completion.IsCompleted
        ? channel
        : throw new IOException($"'{ServerText.Escape(commandText)}' has already exited; its stdin is closed.");
}
