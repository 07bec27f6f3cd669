namespace ParamikoJump.HostKeys;

/// <summary>
/// Trusts an unknown host key and remembers it (paramiko's <c>AutoAddPolicy</c>, OpenSSH's
/// <c>StrictHostKeyChecking accept-new</c>): later connections, and re-keys, must present the same key.
/// </summary>
public sealed class AutoAddPolicy : IMissingHostKeyPolicy
{
    /// <inheritdoc/>
    public MissingHostKeyAction MissingHostKey(UnknownHostKey hostKey) => MissingHostKeyAction.AcceptAndSave;
}
