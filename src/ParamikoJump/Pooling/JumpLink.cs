using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using ParamikoJump.Authentication;
using ParamikoJump.Execution;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys;
using ParamikoJump.Logging;
using Polly;
using Polly.Retry;
using Renci.SshNet.Common;

namespace ParamikoJump.Pooling;

/// <summary>
/// A jump shared by every destination behind it: one login (one MFA answer) serves them all. When that login is lost
/// it is reconnected on next use, once for all waiting callers, with the source's Polly retry (exponential backoff
/// and jitter); a reconnect asks a person only if <see cref="SshJumpPoolOptions.AllowInteractiveRelogin"/> allows it.
/// </summary>
internal sealed class JumpLink
{
    private readonly object _gate = new();
    private readonly HopSettings _settings;
    private readonly ResiliencePipeline _reconnect;
    private readonly bool _allowInteractiveRelogin;
    private readonly ILogger _logger;
    private readonly CancellationToken _closing;
    private JumpGeneration? _current;
    private Task<JumpGeneration>? _connecting;
    private int _generations;
    private Exception? _lastFailure;

    public JumpLink(string key, HopSettings settings, JumpLink? parent, SshJumpPoolOptions options, ILogger logger, CancellationToken closing)
    {
        Key = key;
        _settings = settings;
        Parent = parent;
        _allowInteractiveRelogin = options.AllowInteractiveRelogin;
        _logger = logger;
        _closing = closing;
        _reconnect = options.ReconnectAttempts == 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<SshException>(IsWorthRetrying),
                    MaxRetryAttempts = options.ReconnectAttempts,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.ReconnectDelay,
                    MaxDelay = options.MaxReconnectDelay,
                    OnRetry = args =>
                    {
                        Volatile.Write(ref _lastFailure, args.Outcome.Exception);
                        Log.PoolJumpRetry(_logger, Key, args.AttemptNumber + 1, args.RetryDelay.TotalSeconds, args.Outcome.Exception?.GetType().Name ?? "none");
                        return default;
                    },
                })
                .Build();
    }

    /// <summary>The jump's identity: <c>user@host:port</c> and the jumps before it.</summary>
    public string Key { get; }

    public JumpLink? Parent { get; }

    /// <summary>Why the login being made now failed its last try, for a lease that times out waiting for it; <see langword="null"/> once it succeeds.</summary>
    public Exception? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>The jump's current login when it is connected; <see langword="null"/> when it was never connected or was lost.</summary>
    public JumpGeneration? Connected
    {
        get
        {
            lock (_gate)
            {
                return _current is { IsUsable: true } current ? current : null;
            }
        }
    }

    /// <summary>Whether the jump was connected once and is not now (lost and not yet reconnected).</summary>
    public bool IsLost
    {
        get
        {
            lock (_gate)
            {
                return _generations > 0 && _current is not { IsUsable: true };
            }
        }
    }

    /// <summary>
    /// The connected jump, with a reference the caller must <see cref="JumpGeneration.Release"/>: the current login,
    /// or a new one made now (for every caller waiting at once) when there is none or it was lost.
    /// </summary>
    public async Task<JumpGeneration> AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<JumpGeneration> connecting;
            lock (_gate)
            {
                if (_current is { IsUsable: true } current)
                {
                    current.AddReference();
                    return current;
                }

                if (_connecting is null)
                {
                    if (_current is { } lost)
                    {
                        Log.PoolJumpLost(_logger, Key, lost.Number);
                        lost.Retire();
                        _current = null;
                    }

                    _connecting = ConnectAsync();
                }

                connecting = _connecting;
            }

            await Waits.For(connecting, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes the current login once nothing rides on it any more.</summary>
    public void Retire()
    {
        lock (_gate)
        {
            _current?.Retire();
            _current = null;
        }
    }

    private async Task<JumpGeneration> ConnectAsync()
    {
        Volatile.Write(ref _lastFailure, null);
        try
        {
            var relogin = Volatile.Read(ref _generations) > 0;
            var settings = SettingsFor(relogin);
            var number = Volatile.Read(ref _generations) + 1;
            var generation = await _reconnect.ExecuteAsync(
                static async (state, token) => await state.link.ConnectOnceAsync(state.settings, state.number, token).ConfigureAwait(false),
                (link: this, settings, number),
                _closing).ConfigureAwait(false);
            lock (_gate)
            {
                _generations = number;
                _current = generation;
                _connecting = null;
                _lastFailure = null;
            }

            Log.PoolJumpConnected(_logger, Key, number);
            PoolTelemetry.JumpLoggedIn(Key, number);
            return generation;
        }
        catch
        {
            lock (_gate)
            {
                _connecting = null;
            }

            throw;
        }
    }

    private async ValueTask<JumpGeneration> ConnectOnceAsync(HopSettings settings, int number, CancellationToken cancellationToken)
    {
        var parent = Parent is null ? null : await Parent.AcquireAsync(cancellationToken).ConfigureAwait(false);
        SshJumpClient? client = null;
        try
        {
            client = new SshJumpClient(settings, parent?.Client);
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            return new JumpGeneration(client, parent, number);
        }
        catch
        {
            client?.Dispose();
            parent?.Release();
            throw;
        }
    }

    /// <summary>The settings of a login: for a re-login, without the parts of the handler that ask a person unless allowed.</summary>
    private HopSettings SettingsFor(bool relogin)
    {
        if (!relogin || _allowInteractiveRelogin || _settings.AuthHandler is null)
        {
            return _settings;
        }

        var alone = Relogin.WithoutPerson(_settings.AuthHandler);
        if (alone is null)
        {
            var hop = Identity;
            throw new JumpNotConnectedException(
                $"The jump {hop} was lost, and logging in again needs a person ({_settings.AuthHandler.GetType().Name}); set {nameof(SshJumpPoolOptions)}.{nameof(SshJumpPoolOptions.AllowInteractiveRelogin)} to allow asking again.",
                hop,
                HopStage.Authentication,
                null);
        }

        var copy = _settings.Validated();
        copy.AuthHandler = alone;
        return copy;
    }

    /// <summary>This jump's logical identity, for errors raised before any client exists.</summary>
    public HopIdentity Identity => new(_settings.Host, _settings.Port, _settings.Username ?? Environment.UserName, Parent?.Identity);

    /// <summary>Refusals that another try would only repeat (a host key, a key file, a handler with no answer) are not retried.</summary>
    private static bool IsWorthRetrying(SshException error) =>
        error is IHopFailure and not (HostKeyRejectedException or HostKeyMismatchException or HopKeyException or KeyboardInteractiveException);
}
