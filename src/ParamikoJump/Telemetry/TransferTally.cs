using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Telemetry;

/// <summary>Which way an SFTP or SCP transfer moves file data.</summary>
internal enum TransferDirection
{
    Upload,
    Download,
}

/// <summary>
/// The file bytes one SFTP or SCP transfer moved, for its span (<c>paramikojump.transfer.bytes</c>) and the
/// <c>paramikojump.transfer.bytes</c> counter. Counted where the data meets the caller's side: bytes read from the
/// caller's stream for an upload, written to it for a download, or the sizes SSH.NET reports per file.
/// </summary>
internal sealed class TransferTally
{
    private long _bytes;
    private string? _progressFile;
    private long _progressDone;

    public TransferTally(TransferDirection direction) => Direction = direction;

    public TransferDirection Direction { get; }

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Add(long count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _bytes, count);
        }
    }

    /// <summary><paramref name="stream"/>, counting what passes through it into this tally; the caller keeps owning it.</summary>
    public Stream Counting(Stream stream) => new CountingStream(stream, this);

    /// <summary>
    /// SCP's progress events: <paramref name="done"/> bytes of <paramref name="file"/> so far. Events of one transfer
    /// come in order on its thread, a file's from 0 up, so the growth since the last event is what moved.
    /// </summary>
    public void Progress(string file, long done)
    {
        if (!string.Equals(file, _progressFile, StringComparison.Ordinal) || done < _progressDone)
        {
            _progressFile = file;
            _progressDone = 0;
        }

        Add(done - _progressDone);
        _progressDone = done;
    }

    /// <summary>Passes every call to the caller's stream and counts the bytes read or written; never disposes it.</summary>
    private sealed class CountingStream(Stream inner, TransferTally tally) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

#if NET
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
#else
        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Counted(await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false));
#endif

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            tally.Add(count);
        }

#if NET
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
#else
        public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            await inner.WriteAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            tally.Add(count);
        }
#endif

#if NET
        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            tally.Add(buffer.Length);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            tally.Add(buffer.Length);
        }
#endif

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => inner.SetLength(value);

        private int Counted(int read)
        {
            tally.Add(read);
            return read;
        }
    }
}
