using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace ParamikoJump;

/// <summary>
/// A command's stdout or stderr as it arrives (nothing is buffered whole). Read it as bytes, or as text with
/// <see cref="ReadLines"/> and <see cref="ReadToEnd"/>, not both. If the connection is lost before the
/// command ends, reading throws instead of reporting a clean end of output.
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
