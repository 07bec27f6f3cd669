namespace ParamikoJump;

/// <summary>The stage of bringing up a hop at which something failed.</summary>
public enum HopStage
{
    /// <summary>Checking arguments and the jump before any traffic is sent.</summary>
    Setup,

    /// <summary>Opening the TCP connection (for a direct hop) or the loopback forward on the jump.</summary>
    TcpConnect,

    /// <summary>The jump opening a direct-tcpip channel to the next hop.</summary>
    ChannelOpen,

    /// <summary>Exchanging SSH identification banners and keys.</summary>
    KeyExchange,

    /// <summary>Checking the host key the server presented.</summary>
    HostKeyVerification,

    /// <summary>Logging in (keys, agent, password, keyboard-interactive).</summary>
    Authentication,

    /// <summary>Using a connected hop (commands, channels, dependents of a jump).</summary>
    Session,
}
