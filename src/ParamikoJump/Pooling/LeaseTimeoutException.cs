using System;
using System.Globalization;

namespace ParamikoJump.Pooling;

/// <summary>
/// <see cref="SshJumpDataSource.GetAsync"/> waited <see cref="SshJumpPoolOptions.LeaseTimeout"/> for a session to a
/// destination (in line behind the server's limits, connecting, or healing a lost jump) and got none.
/// </summary>
public sealed class LeaseTimeoutException : ParamikoJumpException
{
    /// <summary>Creates the error.</summary>
    /// <param name="destination">The destination's name in the source.</param>
    /// <param name="waited">How long the lease was waited for.</param>
    /// <param name="hop">The destination's target hop, if known.</param>
    /// <param name="innerException">The last failure seen while waiting, if any.</param>
    public LeaseTimeoutException(string destination, TimeSpan waited, HopIdentity? hop, Exception? innerException = null)
        : base(string.Format(CultureInfo.InvariantCulture, "No session to '{0}' within the lease timeout of {1:0.###} s.", destination, waited.TotalSeconds), hop, HopStage.Session, innerException)
    {
        Destination = destination;
        Waited = waited;
    }

    /// <summary>The destination's name in the source.</summary>
    public string Destination { get; }

    /// <summary>How long the lease was waited for.</summary>
    public TimeSpan Waited { get; }
}
