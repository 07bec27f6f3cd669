using System.Linq;
using ParamikoJump.Keys;
using Renci.SshNet;

namespace ParamikoJump.Authentication;

/// <summary>
/// Public-key authentication (files, in-memory keys, agent identities) under the hop's tracker. The keys are
/// chosen at each login by a <see cref="PublicKeyPlan"/>, so the agent is asked then and not at construction;
/// SSH.NET's method fixes its keys when built, so one is built per login.
/// </summary>
internal sealed class TrackedPrivateKeyMethod : AuthenticationMethod
{
    private readonly PublicKeyPlan _plan;
    private readonly AuthenticationTracker _tracker;

    public TrackedPrivateKeyMethod(string username, PublicKeyPlan plan, AuthenticationTracker tracker)
        : base(username)
    {
        _plan = plan;
        _tracker = tracker;
    }

    public override string Name => "publickey";

    public override AuthenticationResult Authenticate(Session session) => _tracker.Run(this, () =>
    {
        var offers = _plan.Resolve();
        if (offers.Count == 0)
        {
            return AuthenticationResult.Failure;
        }

        using var method = new PrivateKeyAuthenticationMethod(Username, offers.ToArray<IPrivateKeySource>());
        var result = method.Authenticate(session);
        AllowedAuthentications = method.AllowedAuthentications;
        return result;
    });
}
