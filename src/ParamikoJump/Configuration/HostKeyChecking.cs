namespace ParamikoJump.Configuration;

/// <summary>ssh_config's <c>StrictHostKeyChecking</c>, and the policy each value becomes.</summary>
public enum HostKeyChecking
{
    /// <summary>
    /// <c>ask</c>, ssh's default: ssh asks the person at the terminal. A library has no one to ask, so unknown hosts
    /// are refused (<see cref="HostKeys.RejectPolicy"/>), as ssh refuses them in batch mode.
    /// </summary>
    Ask,

    /// <summary><c>yes</c>: unknown hosts are refused (<see cref="HostKeys.RejectPolicy"/>).</summary>
    Yes,

    /// <summary><c>accept-new</c>: unknown hosts are trusted and added to the first UserKnownHostsFile (<see cref="HostKeys.AutoAddPolicy"/>).</summary>
    AcceptNew,

    /// <summary>
    /// <c>no</c> or <c>off</c>: unknown hosts are trusted and added (<see cref="HostKeys.AutoAddPolicy"/>). Unlike ssh,
    /// a host whose key changed is still refused.
    /// </summary>
    No,
}
