using System;

namespace ParamikoJump.Execution;

/// <summary>
/// A command's output arrived faster than it was read, and more than <see cref="Limit"/> bytes waited unread
/// (<see cref="HopSettings.MaxCommandOutputBuffer"/>): the command was cancelled and its channel closed so memory
/// stays bounded. The output read before the limit was reached is intact; what came after it was dropped.
/// </summary>
public sealed class CommandOutputLimitException : ParamikoJumpException
{
    /// <summary>Creates the error.</summary>
    /// <param name="hop">The hop the command ran on.</param>
    /// <param name="commandText">The command line.</param>
    /// <param name="limit">The limit, in bytes.</param>
    public CommandOutputLimitException(HopIdentity? hop, string commandText, long limit)
        : base(
            $"'{ServerText.Escape(commandText)}' had more than {limit} bytes of output waiting unread (HopSettings.MaxCommandOutputBuffer), so it was cancelled and its channel closed. Read stdout and stderr as they arrive, or raise the limit.",
            hop,
            HopStage.Session)
    {
        CommandText = commandText;
        Limit = limit;
    }

    /// <summary>The command line.</summary>
    public string CommandText { get; }

    /// <summary>The limit that was exceeded, in bytes.</summary>
    public long Limit { get; }
}
