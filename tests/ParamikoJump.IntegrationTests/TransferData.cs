using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// Random data for transfers, never held whole in memory: an AES-CTR keystream under a key drawn once per test run,
/// so any length of it can be streamed again (and from any position, to resume) with the same bytes, and its SHA-256
/// is computed once per length.
/// </summary>
internal static class TransferData
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(16);
    private static readonly ConcurrentDictionary<long, Lazy<string>> Hashes = new();

    /// <summary>A seekable, read-only stream of the run's random data, <paramref name="length"/> bytes long.</summary>
    public static Stream Open(long length) => new KeystreamStream(Key, length);

    /// <summary>The SHA-256 (lowercase hex, as sha256sum prints it) of the first <paramref name="length"/> bytes.</summary>
    public static string Sha256Of(long length) => Hashes.GetOrAdd(length, l => new Lazy<string>(() =>
    {
        using var data = Open(l);
        return Convert.ToHexStringLower(SHA256.HashData(data));
    })).Value;

    /// <summary>A write-only stream that hashes what it is given and keeps nothing.</summary>
    public class HashingSink : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Volatile.Read(ref _length);

        public override long Position
        {
            get => Length;
            set => throw new NotSupportedException();
        }

        public string Sha256() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            Volatile.Write(ref _length, _length + buffer.Length);
            OnWritten(_length);
        }

        /// <summary>Called after each write with the bytes taken so far: where a destination paces or measures itself.</summary>
        protected virtual void OnWritten(long length)
        {
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Block i of the data is AES(key, i): computed for the blocks a read covers, in batches.</summary>
    private sealed class KeystreamStream(byte[] key, long length) : Stream
    {
        private const int Batch = 64 * 1024;
        private readonly Aes _aes = CreateAes(key);
        private readonly byte[] _counters = new byte[Batch];
        private readonly byte[] _blocks = new byte[Batch];
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var total = 0;
            while (buffer.Length > 0 && _position < length)
            {
                var block = _position / 16;
                var skip = (int)(_position % 16);
                var want = (int)Math.Min(Math.Min(buffer.Length, length - _position), Batch - skip);
                var blocks = (skip + want + 15) / 16;
                for (var i = 0; i < blocks; i++)
                {
                    BitConverter.TryWriteBytes(_counters.AsSpan(i * 16, 8), block + i);
                }

                _aes.EncryptEcb(_counters.AsSpan(0, blocks * 16), _blocks.AsSpan(0, blocks * 16), PaddingMode.None);
                _blocks.AsSpan(skip, want).CopyTo(buffer);
                buffer = buffer[want..];
                _position += want;
                total += want;
            }

            return total;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _aes.Dispose();
            }

            base.Dispose(disposing);
        }

        private static Aes CreateAes(byte[] key)
        {
            var aes = Aes.Create();
            aes.Key = key;
            return aes;
        }
    }
}
