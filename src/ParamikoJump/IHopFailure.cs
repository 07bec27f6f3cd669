namespace ParamikoJump;

/// <summary>
/// What every error ParamikoJump raises carries, whatever SSH.NET type it also is: the hop that failed (which names
/// the jump, and so the whole chain, it went through) and the stage it had reached.
/// </summary>
/// <remarks>
/// Each error derives from the SSH.NET exception the same failure raises on a plain SSH.NET client
/// (<see cref="HopAuthenticationException"/> is a <c>SshAuthenticationException</c>, <see cref="HopConnectionException"/> a
/// <c>SshConnectionException</c>, <see cref="HopTimeoutException"/> a <c>SshOperationTimeoutException</c>, ...), so
/// code written for SSH.NET keeps catching. C# allows one base class, so not all of them can also derive from
/// <see cref="ParamikoJumpException"/>: to catch every ParamikoJump error, catch
/// <c>SshException ex when ex is IHopFailure</c>; a log enricher reads <see cref="Hop"/> and <see cref="Stage"/>
/// from any exception that implements this.
/// </remarks>
public interface IHopFailure
{
    /// <summary>The hop that failed, or <see langword="null"/> when the error is not about one hop.</summary>
    HopIdentity? Hop { get; }

    /// <summary>The stage at which the hop failed.</summary>
    HopStage Stage { get; }
}
