using Renci.SshNet;

namespace ParamikoJump.Authentication;

// SSH.NET's methods, each run under the hop's AuthenticationTracker (own time budget, record of what was tried).

/// <summary>Password authentication under the hop's tracker.</summary>
internal sealed class TrackedPasswordMethod : PasswordAuthenticationMethod
{
    private readonly AuthenticationTracker _tracker;

    public TrackedPasswordMethod(string username, string password, AuthenticationTracker tracker)
        : base(username, password)
    {
        _tracker = tracker;
    }

    public override AuthenticationResult Authenticate(Session session) => _tracker.Run(this, () => base.Authenticate(session));
}

/// <summary>Public-key authentication (files, in-memory keys, agent identities) under the hop's tracker.</summary>
internal sealed class TrackedPrivateKeyMethod : PrivateKeyAuthenticationMethod
{
    private readonly AuthenticationTracker _tracker;

    public TrackedPrivateKeyMethod(string username, IPrivateKeySource[] keys, AuthenticationTracker tracker)
        : base(username, keys)
    {
        _tracker = tracker;
    }

    public override AuthenticationResult Authenticate(Session session) => _tracker.Run(this, () => base.Authenticate(session));
}
