using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Renci.SshNet;

namespace ParamikoJump;

/// <summary>
/// A command started by <see cref="SshJumpClient.ExecCommand"/>: paramiko's <c>(stdin, stdout, stderr)</c>
/// triple, which it deconstructs into, plus the exit status.
/// </summary>
public sealed class RemoteProcess : IDisposable
{
    private readonly SshCommand _command;
    private readonly Func<Exception, ParamikoJumpException> _translate;
    private readonly Stream _stdin;
    private int _disposed;

    internal RemoteProcess(SshCommand command, Task completion, Stream stdin, Func<Exception, ParamikoJumpException> translate)
    {
        _command = command;
        Completion = completion;
        _stdin = stdin;
        _translate = translate;
        var encoding = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        Stdout = new RemoteOutputStream(command.OutputStream, encoding, this);
        Stderr = new RemoteOutputStream(command.ExtendedOutputStream, encoding, this);
    }

    /// <summary>The command line as sent.</summary>
    public string CommandText => _command.CommandText;

    /// <summary>The command's standard input; disposing it sends end-of-file.</summary>
    public Stream Stdin => _stdin;

    /// <summary>The command's standard output, streamed as it arrives.</summary>
    public RemoteOutputStream Stdout { get; }

    /// <summary>The command's standard error, streamed as it arrives.</summary>
    public RemoteOutputStream Stderr { get; }

    /// <summary>Completes when the command has ended and its channel closed.</summary>
    public Task Completion { get; }

    /// <summary>The exit status, once the command has ended and the server sent one.</summary>
    public int? ExitStatus => _command.ExitStatus;

    /// <summary>The signal that ended the command, if the server reported one.</summary>
    public string? ExitSignal => _command.ExitSignal;

    /// <summary>Waits for the command to end (paramiko's <c>recv_exit_status()</c>).</summary>
    /// <returns>The exit status, or -1 when the server sent none (the command was killed by a signal).</returns>
    public int WaitForExit()
    {
        try
        {
            Completion.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not ParamikoJumpException)
        {
            throw _translate(ex);
        }

        return _command.ExitStatus ?? -1;
    }

    /// <summary>Waits asynchronously for the command to end.</summary>
    /// <param name="cancellationToken">Stops waiting (the command keeps running).</param>
    /// <returns>The exit status, or -1 when the server sent none.</returns>
    public async Task<int> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(() => cancelled.TrySetCanceled(cancellationToken)))
        {
            await Task.WhenAny(Completion, cancelled.Task).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return WaitForExit();
    }

    /// <summary>paramiko's shape: <c>var (stdin, stdout, stderr) = client.ExecCommand("...")</c>.</summary>
    public void Deconstruct(out Stream stdin, out RemoteOutputStream stdout, out RemoteOutputStream stderr)
    {
        stdin = Stdin;
        stdout = Stdout;
        stderr = Stderr;
    }

    /// <summary>Closes the channel; a command still running is abandoned.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stdin.Dispose();
        _command.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => $"RemoteProcess '{CommandText}'";

    /// <summary>Called by the outputs at end of data: a lost connection must not look like a clean end.</summary>
    internal void ThrowIfLost()
    {
        if (Completion.IsFaulted && Completion.Exception?.InnerException is { } error)
        {
            throw error is ParamikoJumpException ours ? ours : _translate(error);
        }
    }
}
