using System.Threading;
using System.Threading.Tasks;
using ParamikoJump.Authentication;

namespace ParamikoJump;

public partial class SshJumpClient
{
    /// <summary>
    /// Opens an SFTP client to this client's server (paramiko's <c>open_sftp()</c>): the same host, through the same
    /// jump, with the same credentials, keys, handler, host-key store and policy. This client must be connected.
    /// </summary>
    /// <remarks>
    /// SSH.NET cannot run SFTP over another client's session through its public API, so this is a second login on a
    /// connection of its own, through the same jump: a keyboard-interactive handler is asked again (give a
    /// <see cref="MagicAuthHandler"/> the rounds of both logins, or use a handler that computes its answers), and the
    /// server sees two sessions. The returned client is yours to dispose; it does not depend on this one staying open,
    /// only on the jump.
    /// </remarks>
    /// <returns>The connected SFTP client.</returns>
    /// <exception cref="Renci.SshNet.Common.SshException">This client is not connected (an <see cref="IHopFailure"/>), or the SFTP client could not connect; see <see cref="SftpJumpClient.Connect"/>.</exception>
    public SftpJumpClient OpenSftp() => Hops.Hop.ConnectSibling(NewSftp(), static c => c.Connect());

    /// <summary>Opens an SFTP client asynchronously; see <see cref="OpenSftp"/>.</summary>
    /// <param name="cancellationToken">Cancels the connect, and the token an <see cref="AsyncKeyboardInteractiveHandler"/> is given.</param>
    /// <returns>The connected SFTP client.</returns>
    public Task<SftpJumpClient> OpenSftpAsync(CancellationToken cancellationToken = default) =>
        Hops.Hop.ConnectSiblingAsync(NewSftp(), c => c.ConnectAsync(cancellationToken));

    /// <summary>
    /// Opens an SCP client to this client's server: the same host, through the same jump, with the same credentials,
    /// keys, handler, host-key store and policy; a second login, as <see cref="OpenSftp"/> explains.
    /// </summary>
    /// <returns>The connected SCP client.</returns>
    /// <exception cref="Renci.SshNet.Common.SshException">This client is not connected (an <see cref="IHopFailure"/>), or the SCP client could not connect; see <see cref="ScpJumpClient.Connect"/>.</exception>
    public ScpJumpClient OpenScp() => Hops.Hop.ConnectSibling(NewScp(), static c => c.Connect());

    /// <summary>Opens an SCP client asynchronously; see <see cref="OpenScp"/>.</summary>
    /// <param name="cancellationToken">Cancels the connect, and the token an <see cref="AsyncKeyboardInteractiveHandler"/> is given.</param>
    /// <returns>The connected SCP client.</returns>
    public Task<ScpJumpClient> OpenScpAsync(CancellationToken cancellationToken = default) =>
        Hops.Hop.ConnectSiblingAsync(NewScp(), c => c.ConnectAsync(cancellationToken));

    private SftpJumpClient NewSftp()
    {
        ThrowIfNotConnected(nameof(OpenSftp));
        return _hop.Plan.GivenConnectionInfo is { } given
            ? new SftpJumpClient(given, JumpSession, _hop.Plan.Settings.AuthHandler, MissingHostKeyPolicy, HostKeys)
            : new SftpJumpClient(_hop.SiblingSettings(), JumpSession);
    }

    private ScpJumpClient NewScp()
    {
        ThrowIfNotConnected(nameof(OpenScp));
        return _hop.Plan.GivenConnectionInfo is { } given
            ? new ScpJumpClient(given, JumpSession, _hop.Plan.Settings.AuthHandler, MissingHostKeyPolicy, HostKeys)
            : new ScpJumpClient(_hop.SiblingSettings(), JumpSession);
    }

    private void ThrowIfNotConnected(string operation)
    {
        if (!IsConnected)
        {
            throw _hop.NotConnected(operation);
        }
    }
}
