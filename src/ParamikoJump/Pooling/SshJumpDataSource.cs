using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ParamikoJump.Hops;
using ParamikoJump.Logging;
using Polly;
using Polly.Retry;
using Renci.SshNet.Common;

namespace ParamikoJump.Pooling;

/// <summary>
/// A source of connected clients to named destinations, for services: <c>await using var lease = await
/// source.GetAsync("db01", ct)</c> lends a connected <see cref="SshJumpClient"/>, and disposing the lease gives it back.
/// Build one with <see cref="SshJumpDataSourceBuilder"/> (or register it with ParamikoJump.Hosting's
/// <c>services.AddSshJumpDataSource(...)</c>), keep it for the application's lifetime, and dispose it at the end.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Jumps are shared: one login per jump (one MFA answer) serves every destination behind it.</item>
/// <item>Target sessions are reused, newest first, and closed after <see cref="SshJumpPoolOptions.IdleTimeout"/> unused.</item>
/// <item>Per server, at most <see cref="SshJumpPoolOptions.MaxSessionsPerServer"/> sessions and
/// <see cref="SshJumpPoolOptions.MaxConnectsPerServer"/> connects at once; beyond them a lease waits in line, never fails,
/// until <see cref="SshJumpPoolOptions.LeaseTimeout"/> or its token.</item>
/// <item>A lost jump (its server restarted, the network cut it, keep-alive found it silent) fails the leases in flight
/// with <see cref="JumpNotConnectedException"/> naming it, and is logged in again on next use with backoff and jitter;
/// the old login and every session that rode on it are closed.</item>
/// </list>
/// Thread-safe.
/// </remarks>
public sealed class SshJumpDataSource : IDisposable, IAsyncDisposable
{
    private readonly SshJumpPoolOptions _options;
    private readonly Dictionary<string, PoolDestination> _destinations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JumpLink> _jumps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ServerPool> _servers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closing = new();
    private readonly ILogger _logger;
    private readonly ITimer _evictions;
    private readonly ResiliencePipeline _connectThroughJump;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<PooledSession, bool> _lent = new();
    private int _leased;
    private int _state;

    internal SshJumpDataSource(SshJumpPoolOptions options, IReadOnlyList<(string Name, HopSettings Target, HopSettings[] Jumps)> destinations)
    {
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger("ParamikoJump.Pooling") ?? NullLogger.Instance;
        foreach (var (name, target, jumps) in destinations)
        {
            JumpLink? jump = null;
            foreach (var hop in jumps)
            {
                var identity = new HopIdentity(hop.Host, hop.Port, hop.Username ?? Environment.UserName, jump?.Identity);
                var key = SameLogin(identity);
                if (!_jumps.TryGetValue(key, out var link))
                {
                    link = new JumpLink(identity.ToString(), hop, jump, options, _logger, _closing.Token);
                    _jumps.Add(key, link);
                }

                jump = link;
            }

            var targetIdentity = new HopIdentity(target.Host, target.Port, target.Username ?? Environment.UserName, jump?.Identity);
            var serverKey = SameServer(targetIdentity);
            if (!_servers.TryGetValue(serverKey, out var server))
            {
                var serverName = targetIdentity.Jump is null ? targetIdentity.Endpoint : $"{targetIdentity.Endpoint} via {targetIdentity.Jump}";
                server = new ServerPool(serverName, options);
                _servers.Add(serverKey, server);
            }

            _destinations.Add(name, new PoolDestination(name, target, jump, server, targetIdentity));
        }

        // A target connect that meets its jump just lost gets one more try, on the jump's next login.
        _connectThroughJump = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<JumpNotConnectedException>(),
                MaxRetryAttempts = 1,
                Delay = TimeSpan.Zero,
            })
            .Build();
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, options.IdleTimeout.Ticks / 4));
        _evictions = options.TimeProvider.CreateTimer(static state => ((SshJumpDataSource)state!).EvictIdle(), this, period, period);
    }

    /// <summary>The names <see cref="GetAsync"/> accepts.</summary>
    public IReadOnlyCollection<string> Destinations => _destinations.Keys;

    /// <summary>The target hop of a destination: host and port as configured, user, and the jumps it goes through.</summary>
    /// <param name="destination">A name of <see cref="Destinations"/>.</param>
    /// <returns>The hop's identity.</returns>
    /// <exception cref="ArgumentException">No destination has that name.</exception>
    public HopIdentity HopOf(string destination) => Find(destination).Identity;

    /// <summary>
    /// Lends a connected client to <paramref name="destination"/>: an idle one of the pool, or a new one through the
    /// destination's shared jumps (logging them in, or in again after a loss, as needed). Dispose the lease to give it back.
    /// </summary>
    /// <param name="destination">A name of <see cref="Destinations"/>.</param>
    /// <param name="cancellationToken">Stops the wait: in line, connecting, or waiting for a jump's login.</param>
    /// <returns>The lease.</returns>
    /// <exception cref="ArgumentException">No destination has that name.</exception>
    /// <exception cref="LeaseTimeoutException">No session within <see cref="SshJumpPoolOptions.LeaseTimeout"/>.</exception>
    /// <exception cref="SshException">A hop could not be connected: an <see cref="IHopFailure"/> naming the hop and stage.</exception>
    /// <exception cref="ObjectDisposedException">The source is draining or disposed.</exception>
    public async ValueTask<SshJumpLease> GetAsync(string destination, CancellationToken cancellationToken = default)
    {
        var target = Find(destination);
        ThrowIfClosing();
        var started = Stopwatch.GetTimestamp();
        using var deadline = Clock.CancelledAfter(_options.TimeProvider, _options.LeaseTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token, _closing.Token);
        Interlocked.Increment(ref _leased);
        try
        {
            var session = await LeaseAsync(target, linked.Token).ConfigureAwait(false);
            PoolTelemetry.Leased(target.Server.Name, "success", Stopwatch.GetTimestamp() - started);
            return new SshJumpLease(session, destination);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Decrement(ref _leased);
            PoolTelemetry.Leased(target.Server.Name, "timeout", Stopwatch.GetTimestamp() - started);
            throw new LeaseTimeoutException(destination, _options.LeaseTimeout, target.Identity, LastJumpFailure(target) ?? ex);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Decrement(ref _leased);
            throw new ObjectDisposedException(nameof(SshJumpDataSource), "The source was closed while the lease waited.");
        }
        catch
        {
            Interlocked.Decrement(ref _leased);
            PoolTelemetry.Leased(target.Server.Name, cancellationToken.IsCancellationRequested ? "cancelled" : "failure", Stopwatch.GetTimestamp() - started);
            throw;
        }
    }

    /// <summary>
    /// How a destination stands, for health checks. A jump that was lost and is not logged in again yet makes it
    /// unhealthy at once, naming that jump, without a try (the next lease tries). A destination with a session open
    /// through connected jumps is reachable without waiting in line. Otherwise a lease is taken and given back, which
    /// connects one.
    /// </summary>
    /// <param name="destination">A name of <see cref="Destinations"/>.</param>
    /// <param name="cancellationToken">Stops the check.</param>
    /// <returns><see langword="null"/> when the destination is reachable; otherwise what is wrong, naming the hop.</returns>
    public async Task<SshException?> CheckAsync(string destination, CancellationToken cancellationToken = default)
    {
        var target = Find(destination);
        for (var jump = target.Jump; jump is not null; jump = jump.Parent)
        {
            if (jump.IsLost)
            {
                return new JumpNotConnectedException($"The jump {jump.Identity} was lost and is not logged in again yet.", target.Identity, HopStage.Session, null);
            }
        }

        // A destination busy with sessions of its own is reachable: a check must not wait in line behind them.
        if (target.Server.HasSessionOf(target) && (target.Jump is null || target.Jump.Connected is not null))
        {
            return null;
        }

        try
        {
            var lease = await GetAsync(destination, cancellationToken).ConfigureAwait(false);
            await lease.DisposeAsync().ConfigureAwait(false);
            return null;
        }
        catch (SshException ex) when (ex is IHopFailure)
        {
            return ex;
        }
    }

    /// <summary>
    /// Stops lending (new leases fail with <see cref="ObjectDisposedException"/>, waiting ones too), waits until every
    /// lease is given back or <paramref name="cancellationToken"/> is cancelled, then closes every session and jump.
    /// </summary>
    /// <param name="cancellationToken">Ends the wait for leases still out; their clients are closed under them.</param>
    /// <returns>A task that completes once everything is closed.</returns>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) == 0)
        {
            Log.PoolDraining(_logger, Volatile.Read(ref _leased));
            _closing.Cancel();
        }

        try
        {
            while (Volatile.Read(ref _leased) > 0 || _servers.Values.Any(s => !s.IsQuiet))
            {
                await Clock.Delay(_options.TimeProvider, TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        Close();
    }

    /// <summary>Closes every session and jump at once, leased ones included; see <see cref="DrainAsync"/> for a clean end.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _state, 2) != 2)
        {
            _closing.Cancel();
            Close();
        }
    }

    /// <summary>Closes every session and jump at once; see <see cref="Dispose"/>.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    /// <summary><c>SshJumpDataSource (N destinations, M jumps)</c>.</summary>
    public override string ToString() => $"{nameof(SshJumpDataSource)} ({_destinations.Count} destinations, {_jumps.Count} jumps)";

    internal void OnLeased(PooledSession session) => _lent[session] = true;

    internal void OnReturned(PooledSession session)
    {
        _lent.TryRemove(session, out _);
        Interlocked.Decrement(ref _leased);
    }

    private async Task<PooledSession> LeaseAsync(PoolDestination target, CancellationToken cancellationToken)
    {
        var idle = await target.Server.AcquireAsync(target, cancellationToken).ConfigureAwait(false);
        if (idle is not null)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                target.Server.Return(idle);
                cancellationToken.ThrowIfCancellationRequested();
            }

            idle.Lease(this);
            return idle;
        }

        // The caller holds a slot of the server: connect a session into it, or give the slot back.
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var session = await _connectThroughJump.ExecuteAsync(
                static async (target, token) => await ConnectAsync(target, token).ConfigureAwait(false),
                target,
                cancellationToken).ConfigureAwait(false);
            session.Lease(this);
            return session;
        }
        catch
        {
            target.Server.ReleaseSlot(target);
            throw;
        }
    }

    private static async ValueTask<PooledSession> ConnectAsync(PoolDestination target, CancellationToken cancellationToken)
    {
        var jump = target.Jump is null ? null : await target.Jump.AcquireAsync(cancellationToken).ConfigureAwait(false);
        SshJumpClient? client = null;
        var connecting = false;
        try
        {
            await target.Server.Connects.WaitAsync(cancellationToken).ConfigureAwait(false);
            connecting = true;
            client = new SshJumpClient(target.Target, jump?.Client);
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            PoolTelemetry.SessionOpened(target.Server.Name);
            return new PooledSession(target.Server, target, client, jump);
        }
        catch
        {
            client?.Dispose();
            jump?.Release();
            throw;
        }
        finally
        {
            if (connecting)
            {
                target.Server.Connects.Release();
            }
        }
    }

    /// <summary>The last failed try of a login of the destination's jumps still being made, nearest the target first.</summary>
    private static Exception? LastJumpFailure(PoolDestination target)
    {
        for (var jump = target.Jump; jump is not null; jump = jump.Parent)
        {
            if (jump.LastFailure is { } failure)
            {
                return failure;
            }
        }

        return null;
    }

    private PoolDestination Find(string destination) =>
        destination is not null && _destinations.TryGetValue(destination, out var target)
            ? target
            : throw new ArgumentException($"No destination named '{destination}' (the source has: {string.Join(", ", _destinations.Keys.OrderBy(k => k, StringComparer.Ordinal))}).", nameof(destination));

    private void ThrowIfClosing()
    {
        if (Volatile.Read(ref _state) != 0)
        {
            throw new ObjectDisposedException(nameof(SshJumpDataSource), "The source is draining or disposed: it lends no more clients.");
        }
    }

    private void EvictIdle()
    {
        foreach (var server in _servers.Values)
        {
            server.Evict(_options.IdleTimeout);
        }
    }

    private void Close()
    {
        _evictions.Dispose();
        foreach (var server in _servers.Values)
        {
            server.Dispose();
        }

        foreach (var session in _lent.Keys)
        {
            session.Close();
        }

        // Jumps nearest the targets first, the one dialled directly last: each closes when the last client riding on it lets go.
        foreach (var jump in _jumps.Values.Reverse())
        {
            jump.Retire();
        }
    }

    /// <summary>
    /// What makes two jumps one login: the user, the host and the port, behind the same logins. Host names are
    /// case-insensitive (ssh lowercases them too); user names are not.
    /// </summary>
    private static string SameLogin(HopIdentity hop) =>
        $"{hop.Username}@{SameServer(hop)}";

    /// <summary>What makes two targets one server for the limits: the host in any case and the port, behind the same logins.</summary>
    private static string SameServer(HopIdentity hop) =>
        hop.Endpoint.ToUpperInvariant() + (hop.Jump is { } jump ? " via " + SameLogin(jump) : string.Empty);
}
