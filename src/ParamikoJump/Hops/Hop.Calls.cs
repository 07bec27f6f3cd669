using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using ParamikoJump.Logging;
using ParamikoJump.SshNet;
using ParamikoJump.Telemetry;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Connection;

namespace ParamikoJump.Hops;

/// <summary>
/// The calls every ParamikoJump client makes the same way, whatever SSH.NET class it extends: connecting with
/// typed errors, and running an operation on the connected hop (an SFTP or SCP transfer) so that losing the
/// connection during it ends in a typed error instead of SSH.NET's, or a hang.
/// </summary>
internal sealed partial class Hop
{
    private static readonly TimeSpan JumpVerdictGrace = TimeSpan.FromMilliseconds(500);

    private readonly ConnectionPipes _pipes = new();

    /// <summary>
    /// A client's <c>Connect()</c>: SSH.NET's connect, its failures turned into errors naming hop and stage, within a
    /// slot of <see cref="ConnectSlots"/> and tried again when the server closes before its banner
    /// (<see cref="ConnectAttempts"/>).
    /// </summary>
    /// <param name="connect">SSH.NET's own connect of the client (<c>base.Connect</c>).</param>
    public void Connect(Action connect)
    {
        var attempts = new ConnectAttempts(this);
        while (true)
        {
            SshException error;
            using (attempts.Begin())
            {
                try
                {
                    connect();
                    return;
                }
                catch (Exception ex) when (!IsDisposedError(ex))
                {
                    OnConnectFailed();
                    error = Fail(ex);
                }
            }

            if (!attempts.ShouldRetry(error, out var pause))
            {
                throw attempts.Final(error);
            }

            attempts.Pause(pause);
        }
    }

    /// <summary>A client's <c>ConnectAsync()</c>; see <see cref="Connect"/>. Cancellation stays an <see cref="OperationCanceledException"/>.</summary>
    /// <param name="connect">SSH.NET's own asynchronous connect of the client (<c>base.ConnectAsync</c>).</param>
    /// <param name="cancellationToken">The caller's token, also given to asynchronous keyboard-interactive handlers.</param>
    public async Task ConnectAsync(Func<CancellationToken, Task> connect, CancellationToken cancellationToken)
    {
        var attempts = new ConnectAttempts(this);
        while (true)
        {
            SshException error;
            using (await attempts.BeginAsync(cancellationToken).ConfigureAwait(false))
            {
                AsyncConnect = cancellationToken;
                try
                {
                    await (_watchesTransport ? ConnectOnOwnThread(cancellationToken) : connect(cancellationToken)).ConfigureAwait(false);
                    return;
                }
                catch (Exception ex) when (cancellationToken.IsCancellationRequested && !IsDisposedError(ex))
                {
                    OnConnectFailed();
                    TelemetryConnectFailed(null);
                    if (ex is OperationCanceledException)
                    {
                        throw;
                    }

                    // Cancelling cut the attempt's socket under SSH.NET (ConnectOnOwnThread): that failure is the cancellation.
                    throw new OperationCanceledException("The connect was cancelled.", ex, cancellationToken);
                }
                catch (Exception ex) when (!IsDisposedError(ex))
                {
                    OnConnectFailed();
                    error = Fail(ex);
                }
                finally
                {
                    AsyncConnect = null;
                }
            }

            if (!attempts.ShouldRetry(error, out var pause))
            {
                throw attempts.Final(error);
            }

            await attempts.PauseAsync(pause, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// SSH.NET's asynchronous connect waits for the key exchange and the login on the pool thread that read the banner,
    /// so a burst of connects starves the pool (new threads arrive about once a second past its minimum). The
    /// connect's blocking part runs instead on a thread this hop owns for the attempt, SSH.NET's synchronous connect
    /// with every stage still cut at its budget by the watchdog; cancelling cuts the attempt's socket, which ends every
    /// wait of it. Only with the watched transport: without it nothing could cut the attempt when cancelled.
    /// </summary>
    private Task<bool> ConnectOnOwnThread(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancel = cancellationToken.Register(static state => ((Hop)state!).CutAttempt(), this);
        var connecting = new Thread(() =>
        {
            try
            {
                _client.Connect();
                done.TrySetResult(true);
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
            finally
            {
                cancel.Dispose();
            }
        })
        {
            IsBackground = true,
            Name = "ParamikoJump connect",
        };
        connecting.Start();
        return done.Task;
    }

    /// <summary>
    /// Runs an operation on the connected hop. A lost connection (this hop's, or its jump's) ends it with the typed
    /// error <see cref="Fail"/> gives; errors about the operation itself (a missing file, a refused permission, the
    /// local stream) are the operation's own and pass unchanged.
    /// </summary>
    /// <param name="operation">The operation's name, for "not connected" errors.</param>
    /// <param name="action">The operation.</param>
    /// <param name="tally">Counts the bytes a transfer moves, for its span and the byte counters.</param>
    public void Run(string operation, Action action, TransferTally? tally = null)
    {
        EnsureConnected(operation);
        using var span = TransferSpan(operation, tally);
        var violatedBefore = Volatile.Read(ref _windowViolated);
        try
        {
            action();
            span.Succeeded();
        }
        catch (Exception ex) when (WindowViolatedSince(violatedBefore, ex) is { } violation)
        {
            throw span.Failed(violation);
        }
        catch (Exception ex) when (IsConnectionLoss(ex, CancellationToken.None))
        {
            AwaitJumpVerdict();
            throw span.Failed(Fail(ex));
        }
        catch (Exception ex)
        {
            span.Failed(ex);
            throw;
        }
    }

    /// <summary>Runs an asynchronous operation on the connected hop; see <see cref="Run"/>.</summary>
    /// <param name="operation">The operation's name, for "not connected" errors.</param>
    /// <param name="action">The operation.</param>
    /// <param name="cancellationToken">The caller's token: its cancellation stays an <see cref="OperationCanceledException"/>.</param>
    /// <param name="tally">Counts the bytes a transfer moves, for its span and the byte counters.</param>
    public async Task RunAsync(string operation, Func<Task> action, CancellationToken cancellationToken, TransferTally? tally = null)
    {
        EnsureConnected(operation);
        using var span = TransferSpan(operation, tally);
        var violatedBefore = Volatile.Read(ref _windowViolated);
        try
        {
            await action().ConfigureAwait(false);
            span.Succeeded();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && WindowViolatedSince(violatedBefore, ex) is { } violation)
        {
            throw span.Failed(violation);
        }
        catch (Exception ex) when (IsConnectionLoss(ex, cancellationToken))
        {
            await AwaitJumpVerdictAsync().ConfigureAwait(false);
            throw span.Failed(Fail(ex));
        }
        catch (Exception ex)
        {
            span.Failed(ex);
            throw;
        }
    }

    /// <summary>The last window error made for an SFTP client's channel (<see cref="WindowViolated"/>).</summary>
    private ChannelWindowException? _windowViolated;

    /// <summary>
    /// A server sent past the window of a channel no command claimed (SFTP, SCP, a shell, a forward), or announced an SFTP
    /// packet the window can never take whole: logged, and the error that channel's user gets, naming this hop.
    /// </summary>
    public ChannelWindowException WindowViolated(string what, WindowViolation violation)
    {
        if (violation.UnfinishableSftpPacket > 0)
        {
            Log.SftpPacketUnfinishable(_plan.Logger, Identity.ToString(), what, violation.LocalChannel, violation.UnfinishableSftpPacket, violation.Window);
        }
        else
        {
            Log.ChannelWindowIgnored(_plan.Logger, Identity.ToString(), what, violation.LocalChannel, violation.Size, violation.Remaining);
        }

        var error = violation.Error(what, Identity);

        if (_client is SftpClient)
        {
            // Its one channel is every transfer's: the error belongs to whichever call is running.
            Volatile.Write(ref _windowViolated, error);
        }

        return error;
    }

    /// <summary>
    /// The window error an SFTP client's channel met since <paramref name="before"/>, to raise instead of
    /// <paramref name="caught"/>: the channel closes as it fails, so a call still sending on it (the next read
    /// requests) can meet the closed channel ("The session is not open") before the error that closed it reaches it.
    /// </summary>
    private ChannelWindowException? WindowViolatedSince(ChannelWindowException? before, Exception caught) =>
        caught is not ChannelWindowException && Volatile.Read(ref _windowViolated) is { } violation && !ReferenceEquals(violation, before) ? violation : null;

    /// <summary>
    /// The settings of another client to this same hop (<c>OpenSftp</c>, <c>OpenScp</c>): the hop's own copy, with the
    /// host-key store, policy and <c>MaxAuthTries</c> in force now, which may have changed since it was built.
    /// </summary>
    public HopSettings SiblingSettings()
    {
        var settings = _plan.Settings.Validated();
        settings.KnownHosts = _hostKeyVerifier.Store;
        settings.HostKeyPolicy = _hostKeyVerifier.Policy;
        settings.MaxAuthTries = _plan.Keys.MaxAuthTries;
        return settings;
    }

    /// <summary>Connects a sibling client built by <see cref="SiblingSettings"/>, disposing it if that fails.</summary>
    public static TClient ConnectSibling<TClient>(TClient client, Action<TClient> connect)
        where TClient : IDisposable
    {
        try
        {
            connect(client);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Connects a sibling client asynchronously, disposing it if that fails.</summary>
    public static async Task<TClient> ConnectSiblingAsync<TClient>(TClient client, Func<TClient, Task> connect)
        where TClient : IDisposable
    {
        try
        {
            await connect(client).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>
    /// When a jump dies, this hop's transfer can fail first: the jump's forward closes the loopback connection (a
    /// broken pipe here) on its own thread while the jump's session is still reporting its loss on another. A moment's
    /// wait for the tunnel's <see cref="JumpTunnel.JumpLost"/> lets the error name the jump that was lost instead of
    /// blaming this hop; nothing is waited for when the jump is known lost or this hop is direct, and at most
    /// <see cref="JumpVerdictGrace"/> when the jump is fine.
    /// </summary>
    private void AwaitJumpVerdict()
    {
        if (JumpLostSignal() is { } lost)
        {
            using (lost)
            {
                lost.Task.Wait(JumpVerdictGrace);
            }
        }
    }

    /// <summary>As <see cref="AwaitJumpVerdict"/>, without holding a thread while it waits.</summary>
    private async Task AwaitJumpVerdictAsync()
    {
        if (JumpLostSignal() is { } lost)
        {
            using (lost)
            using (var grace = new CancellationTokenSource())
            {
                await Task.WhenAny(lost.Task, Task.Delay(JumpVerdictGrace, grace.Token)).ConfigureAwait(false);
                grace.Cancel();
            }
        }
    }

    /// <summary>A signal completed when the jump is lost (at once if it is already), or null for a direct hop.</summary>
    private JumpLostWatch? JumpLostSignal() => _plan.Tunnel is { } tunnel ? new JumpLostWatch(tunnel) : null;

    private void EnsureConnected(string operation)
    {
        if (!_client.IsConnected)
        {
            throw NotConnected(operation);
        }
    }

    private bool IsConnectionLoss(Exception error, CancellationToken cancellationToken)
    {
        if (error is IHopFailure || IsDisposedError(error) || (error is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return false;
        }

        return IsSessionLost
            || error is SshConnectionException or SshOperationTimeoutException or SocketException
            || (_plan.Tunnel?.IsJumpLost ?? false);
    }

    /// <summary>
    /// SSH.NET closes the local socket of a forwarded connection the server refused without a word (no exception, no
    /// event of the forwarded port): this line is where the server's reason shows.
    /// </summary>
    private void OnChannelRefused(object? sender, MessageEventArgs<ChannelOpenFailureMessage> e)
    {
        var refusal = new ChannelOpenFailure(e.Message.ReasonCode, e.Message.Description ?? string.Empty);
        Log.ChannelRefused(_plan.Logger, Identity.ToString(), ServerText.Escape(refusal.ToString()), refusal.ReasonCode);
    }

    private void OnSessionError(object? sender, ExceptionEventArgs e) => MarkSessionLost();

    private void OnSessionDisconnected(object? sender, EventArgs e) => MarkSessionLost();

    private void MarkSessionLost()
    {
        if (Interlocked.Exchange(ref _sessionLost, 1) != 0)
        {
            return;
        }

        TelemetrySessionEnded();

        // An SCP transfer waits on a pipe only its channel's close would end, and a lost session closes no channel.
        _pipes.DisposeAll();
    }

    /// <summary>Completes its task when the tunnel reports its jump lost; disposing it stops listening.</summary>
    private sealed class JumpLostWatch : IDisposable
    {
        private readonly JumpTunnel _tunnel;
        private readonly TaskCompletionSource<bool> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public JumpLostWatch(JumpTunnel tunnel)
        {
            _tunnel = tunnel;
            tunnel.JumpLost += OnJumpLost;
            if (tunnel.IsJumpLost)
            {
                _lost.TrySetResult(true);
            }
        }

        public Task Task => _lost.Task;

        public void Dispose() => _tunnel.JumpLost -= OnJumpLost;

        private void OnJumpLost(object? sender, EventArgs e) => _lost.TrySetResult(true);
    }
}
