using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ParamikoJump.SshNet;

namespace ParamikoJump.Execution;

/// <summary>
/// A command's stdin. SSH.NET accepts and drops writes once the command has exited, cannot open stdin at all for a
/// command that exited at once, and sends no end-of-file when a stdin it opened is closed unused; here the first two
/// fail loudly, as writing to an exited process's stdin does, and closing always sends end-of-file.
/// <c>WriteAsync</c> waits for the server's window without a thread
/// (<c>SshNet.RemoteWindow</c>, .NET 8+), where SSH.NET's write blocks until the server takes more.
/// </summary>
internal sealed class RemoteStdin(Stream? channel, Task completion, string commandText) : Stream
{
    private bool _written;
    private bool _closed;

#if NET8_0_OR_GREATER
    /// <summary>The server's window on this stdin; null where it cannot be watched (writes then wait on a pool thread).</summary>
    public RemoteWindow? Window { get; init; }

#endif
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

    /// <summary>SSH.NET's stdin keeps nothing back: a flush has nothing to wait for.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        Flush();
        return Task.CompletedTask;
    }

#if NET8_0_OR_GREATER
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Window is null
            ? base.WriteAsync(buffer, offset, count, cancellationToken)
            : WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>Sends what the server's window holds, then waits without a thread for it to open again.</summary>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Window is null)
        {
            await base.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            return;
        }

        var target = Open();
        while (!buffer.IsEmpty)
        {
            var room = await Window.RoomAsync(completion, cancellationToken).ConfigureAwait(false);
            if (room == 0)
            {
                throw Exited();
            }

            var chunk = buffer[..Math.Min(room, buffer.Length)];
            target.Write(chunk.Span);
            _written = true;
            Telemetry.Instruments.CommandInputBytes.Add(chunk.Length);
            buffer = buffer[chunk.Length..];
        }
    }
#endif

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // Closing stdin sends EOF to the command; SSH.NET's stream sends it only after a write.
        if (disposing && channel is not null && !_closed)
        {
            _closed = true;
#if NET8_0_OR_GREATER
            Window?.Dispose();
#endif
            CommandChannel.CloseInput(channel, sendEof: !_written && !completion.IsCompleted);
        }

        base.Dispose(disposing);
    }

    private Stream Open() => channel is not null && !completion.IsCompleted ? channel : throw Exited();

    private IOException Exited() => new($"'{ServerText.Escape(commandText)}' has already exited; its stdin is closed.");
}
