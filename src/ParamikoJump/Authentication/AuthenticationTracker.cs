using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;
using ParamikoJump.Logging;
using Renci.SshNet;

namespace ParamikoJump.Authentication;

/// <summary>
/// Shared by the authentication methods of one hop: gives the login its own time budget (SSH.NET bounds the
/// whole keyboard-interactive exchange by one <see cref="ConnectionInfo.Timeout"/> wait, too short for a person
/// approving a push) and records what was tried and what the server still allowed, for error messages.
/// </summary>
internal sealed class AuthenticationTracker
{
    private readonly object _gate = new();
    private readonly List<string> _tried = [];
    private string[] _allowed = [];

    public AuthenticationTracker(HopIdentity hop, TimeSpan authTimeout, ILogger logger)
    {
        Hop = hop;
        AuthTimeout = authTimeout;
        Logger = logger;
    }

    public HopIdentity Hop { get; }

    public TimeSpan AuthTimeout { get; }

    public ILogger Logger { get; }

    /// <summary>Set by the client when it knows which <see cref="ConnectionInfo"/> its session uses.</summary>
    public ConnectionInfo? ConnectionInfo { get; set; }

    /// <summary>Raised when the first method starts, so the client knows the stage it is in.</summary>
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

    public void Reset()
    {
        lock (_gate)
        {
            _tried.Clear();
            _allowed = [];
        }
    }

    public AuthenticationResult Run(AuthenticationMethod method, Func<AuthenticationResult> authenticate)
    {
        lock (_gate)
        {
            _tried.Add(method.Name);
        }

        Started?.Invoke(this, EventArgs.Empty);
        var info = ConnectionInfo;
        if (info is not null)
        {
            info.Timeout = AuthTimeout;
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
