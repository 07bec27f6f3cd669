using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.Extensions.Logging;
using ParamikoJump.Hops;
using ParamikoJump.Logging;
using ParamikoJump.SshNet;
using Renci.SshNet;

namespace ParamikoJump.Authentication;

/// <summary>
/// Shared by the authentication methods of one hop: gives the login its own time budget (SSH.NET bounds the
/// whole keyboard-interactive exchange by one <see cref="ConnectionInfo.Timeout"/> wait, too short for a person
/// approving a push), a token handlers can await with, a cap on rounds, and the record of what was tried and what
/// the server still allowed, for error messages.
/// </summary>
internal sealed class AuthenticationTracker
{
    private readonly object _gate = new();
    private readonly List<string> _tried = [];
    private readonly HopTimeouts _timeouts;
    private readonly TimeProvider _clock;
    private string[] _allowed = [];
    private CancellationToken _connectToken;
    private CancellationTokenSource? _budget;
    private CancellationTokenSource? _login;

    public AuthenticationTracker(HopIdentity hop, HopTimeouts timeouts, HopSettings settings, ILogger logger)
    {
        Hop = hop;
        _timeouts = timeouts;
        _clock = settings.TimeProvider;
        MaxRounds = settings.MaxKeyboardInteractiveRounds;
        Logger = logger;
    }

    public HopIdentity Hop { get; }

    public ILogger Logger { get; }

    /// <summary>How many keyboard-interactive rounds one login may take.</summary>
    public int MaxRounds { get; }

    /// <summary>Set by the client when it knows which <see cref="ConnectionInfo"/> its session uses.</summary>
    public ConnectionInfo? ConnectionInfo { get; set; }

    /// <summary>Cancelled when the login budget runs out or the connect that started the login is cancelled.</summary>
    public CancellationToken LoginToken
    {
        get
        {
            lock (_gate)
            {
                return _login?.Token ?? _connectToken;
            }
        }
    }

    /// <summary>Raised when the first method starts, so the hop knows the stage it is in.</summary>
    public event EventHandler? Started;

    public IReadOnlyList<string> TriedMethods
    {
        get
        {
            lock (_gate)
            {
                return _tried.ToArray();
            }
        }
    }

    public IReadOnlyList<string> AllowedMethods
    {
        get
        {
            lock (_gate)
            {
                return _allowed;
            }
        }
    }

    /// <summary>Forgets the last attempt; <paramref name="connectToken"/> is the token of the connect now starting.</summary>
    public void Reset(CancellationToken connectToken)
    {
        lock (_gate)
        {
            _tried.Clear();
            _allowed = [];
            _connectToken = connectToken;
            _login?.Dispose();
            _budget?.Dispose();
            _login = null;
            _budget = null;
        }
    }

    /// <summary>
    /// The login budget ran out: the token given to handlers is cancelled. A handler that ends on that token can fail
    /// the login a moment before the hop's own watchdog, timing the same budget, reports it spent.
    /// </summary>
    public bool LoginBudgetSpent
    {
        get
        {
            lock (_gate)
            {
                return _budget?.IsCancellationRequested == true;
            }
        }
    }

    public AuthenticationResult Run(AuthenticationMethod method, Func<AuthenticationResult> authenticate)
    {
        bool first;
        lock (_gate)
        {
            first = _tried.Count == 0;
            _tried.Add(method.Name);
            if (_login is null)
            {
                _budget = Clock.CancelledAfter(_clock, _timeouts.Auth);
                _login = CancellationTokenSource.CreateLinkedTokenSource(_connectToken, _budget.Token);
            }
        }

        if (first)
        {
            Started?.Invoke(this, EventArgs.Empty);
        }

        if (ConnectionInfo is { } info)
        {
            StageBudgets.Authentication(info, _timeouts);
        }

        var result = authenticate();
        lock (_gate)
        {
            if (method.AllowedAuthentications is { } allowed)
            {
                _allowed = allowed;
            }
        }

        Log.AuthMethod(Logger, Hop.ToString(), method.Name, result.ToString());
        return result;
    }
}
