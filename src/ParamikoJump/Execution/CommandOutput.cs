using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Execution;

/// <summary>
/// Where SSH.NET writes one output stream of a command (see <see cref="SshNet.CommandChannel"/>), and where its
/// reader reads it: writes never block (SSH.NET writes on the session's receive thread, and blocking that would
/// stall every channel of the session and of the jumps behind it), reads block or await until data or the end
/// arrives. What the reader takes is reported to <c>taken</c> (outside the lock: it may send a window adjust), which
/// re-opens the channel's window (<c>SshNet.ChannelFlow</c>), so what waits here is bounded by the window.
/// Bytes waiting unread also count against the command's <see cref="OutputBudget"/>, when it has a cap; past it the
/// command is cancelled and the reader, once it has read what was kept, gets a <see cref="CommandOutputLimitException"/>.
/// </summary>
internal sealed class CommandOutput : Stream
{
    private readonly object _gate = new();
    private readonly Queue<Segment> _segments = new();
    private readonly OutputBudget _budget;
    private readonly Action<int> _taken;
    private TaskCompletionSource<bool>? _waiter;
    private bool _ended;
    private Exception? _failure;

    public CommandOutput(OutputBudget budget, Action<int> taken)
    {
        _budget = budget;
        _taken = taken;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Whether the writer has finished: the channel closed, or the command was cancelled.</summary>
    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>Called by SSH.NET on the session's receive thread with each packet of output.</summary>
    public override void Write(byte[] buffer, int offset, int count)
    {
        if (count == 0)
        {
            return;
        }

        Telemetry.Instruments.CommandOutputBytes.Add(count);

        TaskCompletionSource<bool>? waiter;
        bool overflowed;
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            overflowed = !_budget.TryTake(count);
            if (overflowed)
            {
                _failure = _budget.Error();
                _ended = true;
            }
            else
            {
                var copy = ArrayPool<byte>.Shared.Rent(count);
                Buffer.BlockCopy(buffer, offset, copy, 0, count);
                _segments.Enqueue(new Segment(copy, count));
            }

            waiter = Wake();
        }

        waiter?.TrySetResult(true);
        if (overflowed)
        {
            _budget.Overflow();
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (count == 0)
        {
            return 0;
        }

        int read;
        lock (_gate)
        {
            while (_segments.Count == 0 && !_ended)
            {
                Monitor.Wait(_gate);
            }

            read = TakeLocked(buffer.AsSpan(offset, count));
        }

        return Taken(read);
    }

#if NET8_0_OR_GREATER
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        int read;
        lock (_gate)
        {
            while (_segments.Count == 0 && !_ended)
            {
                Monitor.Wait(_gate);
            }

            read = TakeLocked(buffer);
        }

        return Taken(read);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ReadCoreAsync(buffer, cancellationToken);
#endif

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadCoreAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>The writer is done; readers get what is buffered, then the end (SSH.NET disposes at channel close).</summary>
    public void End()
    {
        TaskCompletionSource<bool>? waiter;
        lock (_gate)
        {
            _ended = true;
            waiter = Wake();
        }

        waiter?.TrySetResult(true);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            End();
        }

        base.Dispose(disposing);
    }

    /// <summary>The channel failed: readers get what is buffered, then <paramref name="error"/>.</summary>
    public void Fail(Exception error)
    {
        TaskCompletionSource<bool>? waiter;
        lock (_gate)
        {
            _failure ??= error;
            _ended = true;
            waiter = Wake();
        }

        waiter?.TrySetResult(true);
    }

    /// <summary>Drops what is buffered (the process is disposed) and gives its budget back.</summary>
    public void Discard()
    {
        lock (_gate)
        {
            while (_segments.Count > 0)
            {
                var segment = _segments.Dequeue();
                _budget.Release(segment.Count - segment.Offset);
                ArrayPool<byte>.Shared.Return(segment.Array);
            }
        }

        End();
    }

    private async ValueTask<int> ReadCoreAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            Task? wait = null;
            var read = 0;
            lock (_gate)
            {
                if (_segments.Count > 0 || _ended)
                {
                    read = TakeLocked(buffer.Span);
                }
                else
                {
                    _waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _waiter.Task;
                }
            }

            if (wait is null)
            {
                return Taken(read);
            }

            // A cancelled wait leaves the data where it is: the next read gets it.
            await Waits.For(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    private int TakeLocked(Span<byte> destination)
    {
        var copied = 0;
        while (copied < destination.Length && _segments.Count > 0)
        {
            var segment = _segments.Peek();
            var n = Math.Min(destination.Length - copied, segment.Count - segment.Offset);
            segment.Array.AsSpan(segment.Offset, n).CopyTo(destination.Slice(copied));
            copied += n;
            segment.Offset += n;
            _budget.Release(n);
            if (segment.Offset == segment.Count)
            {
                _segments.Dequeue();
                ArrayPool<byte>.Shared.Return(segment.Array);
            }
        }

        if (copied == 0 && _failure is not null && destination.Length > 0)
        {
            throw _failure;
        }

        return copied;
    }

    private int Taken(int read)
    {
        if (read > 0)
        {
            _taken(read);
        }

        return read;
    }

    /// <summary>Wakes synchronous readers; returns the asynchronous one to complete outside the lock.</summary>
    private TaskCompletionSource<bool>? Wake()
    {
        Monitor.PulseAll(_gate);
        var waiter = _waiter;
        _waiter = null;
        return waiter;
    }

    private sealed class Segment(byte[] array, int count)
    {
        public byte[] Array { get; } = array;

        public int Count { get; } = count;

        public int Offset { get; set; }
    }
}
