namespace ParamikoJump.HostKeys;

/// <summary>Refuses every unknown host key (paramiko's <c>RejectPolicy</c>, OpenSSH's <c>StrictHostKeyChecking yes</c>). The default.</summary>
public sealed class RejectPolicy : IMissingHostKeyPolicy
{
    /// <inheritdoc/>
    public MissingHostKeyAction MissingHostKey(UnknownHostKey hostKey) => MissingHostKeyAction.Reject;
}
