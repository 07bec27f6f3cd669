namespace ParamikoJump.Execution;

/// <summary>
/// The server refused a request sent before a command starts: an <c>env</c> request for a variable its
/// <c>AcceptEnv</c> does not allow, or a <c>pty-req</c>. The command was not started and its channel was closed.
/// </summary>
public sealed class CommandRequestRefusedException : ParamikoJumpException
{
    /// <summary>Creates the error.</summary>
    /// <param name="hop">The hop the command was to run on.</param>
    /// <param name="commandText">The command line.</param>
    /// <param name="request">The refused request: <c>env</c> or <c>pty-req</c>.</param>
    /// <param name="variableName">For <c>env</c>, the variable's name (its value is never shown).</param>
    public CommandRequestRefusedException(HopIdentity? hop, string commandText, string request, string? variableName)
        : base(
            request == "env"
                ? $"The server refused to set {ServerText.Escape(variableName ?? string.Empty)} for '{ServerText.Escape(commandText)}' (sshd sets only the variables its AcceptEnv names); the command was not started."
                : $"The server refused a {ServerText.Escape(request)} request for '{ServerText.Escape(commandText)}'; the command was not started.",
            hop,
            HopStage.Session)
    {
        CommandText = commandText;
        Request = request;
        VariableName = variableName;
    }

    /// <summary>The command line.</summary>
    public string CommandText { get; }

    /// <summary>The refused request: <c>env</c> or <c>pty-req</c>.</summary>
    public string Request { get; }

    /// <summary>For <c>env</c>, the variable the server would not set.</summary>
    public string? VariableName { get; }
}
