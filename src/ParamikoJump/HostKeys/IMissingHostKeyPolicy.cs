namespace ParamikoJump.HostKeys;

/// <summary>
/// Decides what to do when a server offers a host key that no known_hosts file holds for it (paramiko's
/// <c>MissingHostKeyPolicy</c>). It is never asked about a key that CHANGED or was revoked: those are always
/// refused. Called on SSH.NET's connecting thread during the key exchange, which waits for the answer.
/// </summary>
/// <example>
/// <code>
/// sealed class TrustOnFirstUseInLab : IMissingHostKeyPolicy
/// {
///     public MissingHostKeyAction MissingHostKey(UnknownHostKey hostKey) =>
///         hostKey.HostName.EndsWith(".lab", StringComparison.Ordinal) ? MissingHostKeyAction.AcceptAndSave : MissingHostKeyAction.Reject;
/// }
/// </code>
/// </example>
public interface IMissingHostKeyPolicy
{
    /// <summary>Decides about an unknown host key. Throwing refuses the connection, with the exception as the cause.</summary>
    /// <param name="hostKey">The host, as known_hosts names it, and the key it offered.</param>
    /// <returns>Whether to refuse, accept once, or accept and remember the key.</returns>
    MissingHostKeyAction MissingHostKey(UnknownHostKey hostKey);
}
