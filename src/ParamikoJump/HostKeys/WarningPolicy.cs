namespace ParamikoJump.HostKeys;

/// <summary>
/// Trusts an unknown host key for this connection without remembering it, and the client logs a warning
/// with the host and fingerprint (paramiko's <c>WarningPolicy</c>).
/// </summary>
public sealed class WarningPolicy : IMissingHostKeyPolicy
{
    /// <inheritdoc/>
    public MissingHostKeyAction MissingHostKey(UnknownHostKey hostKey) => MissingHostKeyAction.Accept;
}
