using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Execution;

/// <summary>
/// A command's stdout or stderr as it arrives. Read it as bytes (synchronously or with <see cref="ReadAsync(byte[], int, int, CancellationToken)"/>,
/// whose token stops the wait without losing data), or as text with <see cref="ReadLines"/>, <see cref="ReadToEnd"/>
/// and <see cref="ReadToEndAsync"/>, not both. If the connection is lost before the command ends, reading throws
/// instead of reporting a clean end of output. What is not read yet waits in memory, at most the channel's window for
/// the command's two outputs together: the server sends more only as they are read.
/// </summary>
public sealed class RemoteOutputStream : Stream
{
    private readonly Stream _pipe;
    private readonly Encoding _encoding;
    private readonly RemoteProcess _process;
    private StreamReader? _reader;

    internal RemoteOutputStream(Stream pipe, Encoding encoding, RemoteProcess process)
    {
        _pipe = pipe;
        _encoding = encoding;
        _process = process;
    }

    /// <summary>The command this output belongs to (paramiko's <c>stdout.channel</c>): wait for its exit status there.</summary>
    public RemoteProcess Process => _process;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException("Remote output has no length until it ends.");

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException("Remote output cannot seek.");
        set => throw new NotSupportedException("Remote output cannot seek.");
    }

    /// <summary>Reads the output line by line as it arrives, until the command ends.</summary>
    public IEnumerable<string> ReadLines()
    {
        var reader = TextReader();
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            yield return line;
        }
    }

    /// <summary>Reads the rest of the output as text; returns when the command has closed it.</summary>
    public string ReadToEnd() => TextReader().ReadToEnd();

    /// <summary>Reads the rest of the output as text without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops waiting; the output read so far is lost to this call.</param>
    /// <returns>The text, when the command has closed its output.</returns>
    public async Task<string> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        var decoder = _encoding.GetDecoder();
        var bytes = new byte[16 * 1024];
        var chars = new char[_encoding.GetMaxCharCount(bytes.Length)];
        int read;
#if NET8_0_OR_GREATER
        while ((read = await ReadAsync(bytes.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
#else
        while ((read = await ReadAsync(bytes, 0, bytes.Length, cancellationToken).ConfigureAwait(false)) > 0)
#endif
        {
            text.Append(chars, 0, decoder.GetChars(bytes, 0, read, chars, 0, flush: false));
        }

        text.Append(chars, 0, decoder.GetChars(bytes, 0, 0, chars, 0, flush: true));
        return text.ToString();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _pipe.Read(buffer, offset, count);
        if (read == 0)
        {
            _process.ThrowIfLost();
        }

        return read;
    }

    /// <inheritdoc/>
    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
#if NET8_0_OR_GREATER
        var read = await _pipe.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false);
#else
        var read = await _pipe.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
#endif
        if (read == 0)
        {
            await _process.ThrowIfLostAsync(cancellationToken).ConfigureAwait(false);
        }

        return read;
    }

#if NET8_0_OR_GREATER
#pragma warning disable RS0027 // The optional token is Stream's own signature.
    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _pipe.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            await _process.ThrowIfLostAsync(cancellationToken).ConfigureAwait(false);
        }

        return read;
    }
#pragma warning restore RS0027
#endif

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("Remote output cannot seek.");

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException("Remote output cannot seek.");

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Remote output is read-only.");

    private StreamReader TextReader() => _reader ??= new StreamReader(this, _encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024, leaveOpen: true);
}
