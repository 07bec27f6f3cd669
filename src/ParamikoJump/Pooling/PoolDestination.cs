namespace ParamikoJump.Pooling;

/// <summary>A named destination of the source: the target's settings, its shared jump and its server's pool.</summary>
internal sealed class PoolDestination(string name, HopSettings target, JumpLink? jump, ServerPool server, HopIdentity identity)
{
    public string Name { get; } = name;

    public HopSettings Target { get; } = target;

    public JumpLink? Jump { get; } = jump;

    public ServerPool Server { get; } = server;

    /// <summary>The target as errors name it: <c>user@host:port via ...</c>.</summary>
    public HopIdentity Identity { get; } = identity;
}
