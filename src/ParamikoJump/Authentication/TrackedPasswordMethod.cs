using Renci.SshNet;

namespace ParamikoJump.Authentication;

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
