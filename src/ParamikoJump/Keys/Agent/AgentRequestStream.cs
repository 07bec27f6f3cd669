using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// An agent that answers each whole request written to it, in order, with an answer read back from it: the shape of a
/// connection to an ssh-agent for an agent that is not a socket (keys held in memory, Pageant's window messages).
/// Writing a request answers it at once; reading waits for an answer or the stream's end.
/// </summary>
internal abstract class AgentRequestStream : Stream
{
    private const int MaxRequest = 256 * 1024;

    private readonly MemoryStream _requests = new();
    private readonly Queue<byte[]> _answers = new();
    private readonly SemaphoreSlim _answered = new(0);
    private readonly object _gate = new();
    private byte[]? _current;
    private int _currentOffset;
    private bool _closed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (_gate)
        {
            _requests.Write(buffer, offset, count);
            var data = _requests.GetBuffer();
            var at = 0;
            while (_requests.Length - at >= 4)
            {
                var position = at;
                var length = SshWire.ReadUInt32(data, ref position);
                if (length is 0 or > MaxRequest)
                {
                    throw new IOException($"an agent request of {length} bytes");
                }

                if (_requests.Length - position < length)
                {
                    break;
                }

                var request = new byte[length];
                Buffer.BlockCopy(data, position, request, 0, (int)length);
                _answers.Enqueue(Framed(Answer(request)));
                _answered.Release();
                at = position + (int)length;
            }

            var left = (int)_requests.Length - at;
            Buffer.BlockCopy(data, at, data, 0, left);
            _requests.SetLength(left);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadIntoAsync(buffer, offset, count, cancellationToken);

#if NET8_0_OR_GREATER
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(buffer, out var array)
            ? new ValueTask<int>(ReadIntoAsync(array.Array!, array.Offset, array.Count, cancellationToken))
            : base.ReadAsync(buffer, cancellationToken);
#endif

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>The answer (message type and body, without the length) to one request (the same, without the length).</summary>
    /// <exception cref="IOException">The agent cannot answer at all; the stream's user treats it as a broken connection.</exception>
    protected abstract byte[] Answer(byte[] request);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _closed = true;
            }

            _answered.Release();
        }

        base.Dispose(disposing);
    }

    private static byte[] Framed(byte[] message)
    {
        using var framed = new MemoryStream(message.Length + 4);
        SshWire.WriteString(framed, message);
        return framed.ToArray();
    }

    private async Task<int> ReadIntoAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_current is null && _answers.Count > 0)
                {
                    _current = _answers.Dequeue();
                    _currentOffset = 0;
                }

                if (_current is not null)
                {
                    var n = Math.Min(count, _current.Length - _currentOffset);
                    Buffer.BlockCopy(_current, _currentOffset, buffer, offset, n);
                    _currentOffset += n;
                    if (_currentOffset == _current.Length)
                    {
                        _current = null;
                    }

                    return n;
                }

                if (_closed)
                {
                    return 0;
                }
            }

            await _answered.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
