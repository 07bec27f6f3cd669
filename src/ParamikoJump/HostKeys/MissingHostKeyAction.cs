namespace ParamikoJump.HostKeys;

/// <summary>What an <see cref="IMissingHostKeyPolicy"/> decides about a host key no known_hosts file holds.</summary>
public enum MissingHostKeyAction
{
    /// <summary>Refuse the connection; <c>Connect</c> raises <see cref="HostKeyRejectedException"/>.</summary>
    Reject,

    /// <summary>Trust the key for this connection only, without remembering it.</summary>
    Accept,

    /// <summary>Trust the key and add it to the client's <see cref="KnownHosts"/> (and its writable file, if any).</summary>
    AcceptAndSave,
}
