using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;
using Renci.SshNet.Security;

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// An ssh-agent answering from keys the application gave (<see cref="HopSettings.ForwardedAgentKeys"/>), for one
/// forwarded agent channel: the channel writes the server's requests in, reads the answers out. It knows the two
/// requests a remote ssh, git or ssh-add makes (draft-miller-ssh-agent): list the keys, and sign with one (rsa-sha2-256
/// and -512 by their flags); everything else, adding or removing keys included, gets SSH_AGENT_FAILURE.
/// </summary>
internal sealed class InMemoryAgent : Stream
{
    private const byte Failure = 5;
    private const byte RequestIdentities = 11;
    private const byte IdentitiesAnswer = 12;
    private const byte SignRequest = 13;
    private const byte SignResponse = 14;
    private const uint RsaSha2256 = 2;
    private const uint RsaSha2512 = 4;
    private const int MaxRequest = 256 * 1024;

    private readonly List<(byte[] Blob, List<HostAlgorithm> Algorithms, string Comment)> _keys;
    private readonly MemoryStream _requests = new();
    private readonly Queue<byte[]> _answers = new();
    private readonly SemaphoreSlim _answered = new(0);
    private readonly object _gate = new();
    private byte[]? _current;
    private int _currentOffset;
    private bool _closed;

    public InMemoryAgent(IEnumerable<IPrivateKeySource> keys)
    {
        _keys = keys
            .SelectMany((key, index) => key.HostKeyAlgorithms
                .GroupBy(algorithm => Convert.ToBase64String(algorithm.Data), StringComparer.Ordinal)
                .Select(group => (Blob: group.First().Data, Algorithms: group.ToList(), Comment: $"key #{index + 1}")))
            .ToList();
    }

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
                    throw new IOException($"a forwarded agent request of {length} bytes");
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

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

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

    private byte[] Answer(byte[] request)
    {
        try
        {
            return request[0] switch
            {
                RequestIdentities => Identities(),
                SignRequest => Sign(request),
                _ => [Failure],
            };
        }
        catch (Exception ex) when (ex is ArgumentException or IndexOutOfRangeException or InvalidOperationException or NotSupportedException or EndOfStreamException)
        {
            // A malformed request, or a key that cannot sign that way: the agent's answer is failure, as ssh-agent's.
            return [Failure];
        }
    }

    private byte[] Identities()
    {
        using var answer = new MemoryStream();
        answer.WriteByte(IdentitiesAnswer);
        SshWire.WriteUInt32(answer, (uint)_keys.Count);
        foreach (var (blob, _, comment) in _keys)
        {
            SshWire.WriteString(answer, blob);
            SshWire.WriteString(answer, System.Text.Encoding.UTF8.GetBytes(comment));
        }

        return answer.ToArray();
    }

    private byte[] Sign(byte[] request)
    {
        var offset = 1;
        var blob = SshWire.ReadString(request, ref offset);
        var data = SshWire.ReadString(request, ref offset);
        var flags = SshWire.ReadUInt32(request, ref offset);
        var key = _keys.FirstOrDefault(candidate => candidate.Blob.AsSpan().SequenceEqual(blob));
        if (key.Algorithms is null)
        {
            return [Failure];
        }

        var wanted = (flags & RsaSha2512) != 0 ? "rsa-sha2-512" : (flags & RsaSha2256) != 0 ? "rsa-sha2-256" : null;
        var algorithm = key.Algorithms.FirstOrDefault(candidate => wanted is null ? !candidate.Name.StartsWith("rsa-sha2-", StringComparison.Ordinal) : candidate.Name.StartsWith(wanted, StringComparison.Ordinal));
        if (algorithm is not KeyHostAlgorithm signer)
        {
            return [Failure];
        }

        using var answer = new MemoryStream();
        answer.WriteByte(SignResponse);
        SshWire.WriteString(answer, signer.Sign(data));
        return answer.ToArray();
    }
}
