#if NET8_0_OR_GREATER
using System;
using Renci.SshNet.Common;

namespace ParamikoJump.SshNet;

/// <summary>
/// The pipe an SSH.NET <c>ScpClient</c> transfer reads its channel through, whose reads re-open the channel's window.
/// SSH.NET's own <see cref="PipeStream"/> takes every write and grows, and the channel's window re-opens on receipt, so
/// a download into a slow destination held in memory whatever the destination had not yet taken. Handed out by
/// <see cref="Transport"/>'s factory proxy for an SCP client: <c>ScpClient</c> creates the pipe, then at once, on the
/// same thread, the channel it reads, which the pipe's <see cref="FlowClaim"/> marks for <see cref="ChannelFlow"/>.
/// </summary>
/// <remarks>
/// Depends on every read of SSH.NET's pipe going through <see cref="Read(Span{byte})"/> (its array and byte reads do,
/// SSH.NET 2026.0.0) and on <c>ScpClient</c> disposing the pipe on the thread that created it when the transfer ends.
/// If a read bypassed this override the window would stop re-opening and the transfer would wait: pinned by the
/// integration tests that download through SCP.
/// </remarks>
internal sealed class FlowPipe : PipeStream
{
    private readonly FlowClaim _claim;
    private readonly WindowViolationReport? _report;
    private volatile ChannelWindowException? _violation;

    /// <param name="report">Makes the error of a server that sends past the window, naming the hop; null: no hop named.</param>
    public FlowPipe(WindowViolationReport? report = null)
    {
        _report = report;
        _claim = new FlowClaim { KeepsExtendedData = false, OnViolation = Fail };
        ChannelFlow.ClaimNextChannel(_claim);
    }

    /// <summary>What the channel's flow is told through (for the seam tests).</summary>
    internal FlowClaim Claim => _claim;

    public override int Read(Span<byte> buffer)
    {
        var read = base.Read(buffer);
        if (_violation is { } error)
        {
            throw error;
        }

        if (read > 0)
        {
            _claim.Consumed?.Invoke(read);
        }

        return read;
    }

    protected override void Dispose(bool disposing)
    {
        ChannelFlow.Unclaim(_claim);
        base.Dispose(disposing);
    }

    /// <summary>
    /// The server sent past the window: the reader's next read fails with it instead of waiting for data that was
    /// dropped, and <c>ScpClient</c> closes the channel as the error leaves its transfer.
    /// </summary>
    private void Fail(WindowViolation violation)
    {
        _violation = _report?.Invoke("An SCP transfer", violation) ?? violation.Error("An SCP transfer", hop: null);
        Dispose();
    }
}
#endif
