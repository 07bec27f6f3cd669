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

    // What a ReadToEndAsync that was stopped had already taken: the next read returns it first.
    private byte[] _givenBack = [];
    private int _givenBackOffset;

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
    /// <param name="cancellationToken">Stops waiting; what this call had read is kept for the next read, nothing is lost.</param>
    /// <returns>The text, when the command has closed its output.</returns>
    public async Task<string> ReadToEndAsync(CancellationToken cancellationToken = default)
    {
        using var received = new MemoryStream();
        var bytes = new byte[16 * 1024];
        try
        {
            int read;
#if NET8_0_OR_GREATER
            while ((read = await ReadAsync(bytes.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
#else
            while ((read = await ReadAsync(bytes, 0, bytes.Length, cancellationToken).ConfigureAwait(false)) > 0)
#endif
            {
                received.Write(bytes, 0, read);
            }
        }
        catch
        {
            // Stopped or failed: the bytes already taken go back, so a later read (or ReadToEnd) still sees them.
            GiveBack(received.ToArray());
            throw;
        }

        return _encoding.GetString(received.GetBuffer(), 0, (int)received.Length);
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        if (TakeGivenBack(buffer.AsSpan(offset, count)) is > 0 and var given)
        {
            return given;
        }

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
        if (TakeGivenBack(buffer.AsSpan(offset, count)) is > 0 and var given)
        {
            return given;
        }

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
        if (TakeGivenBack(buffer.Span) is > 0 and var given)
        {
            return given;
        }

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

    private void GiveBack(byte[] taken)
    {
        if (taken.Length == 0)
        {
            return;
        }

        var left = _givenBack.Length - _givenBackOffset;
        var joined = new byte[taken.Length + left];
        taken.CopyTo(joined, 0);
        Array.Copy(_givenBack, _givenBackOffset, joined, taken.Length, left);
        _givenBack = joined;
        _givenBackOffset = 0;
    }

    private int TakeGivenBack(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _givenBack.Length - _givenBackOffset);
        if (count <= 0)
        {
            return 0;
        }

        _givenBack.AsSpan(_givenBackOffset, count).CopyTo(destination);
        _givenBackOffset += count;
        return count;
    }

    private StreamReader TextReader() => _reader ??= new StreamReader(this, _encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 16 * 1024, leaveOpen: true);
}
