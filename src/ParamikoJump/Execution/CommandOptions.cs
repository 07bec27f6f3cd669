using System;
using System.Collections.Generic;

namespace ParamikoJump.Execution;

/// <summary>
/// How <see cref="SshJumpClient.ExecCommand(string, CommandOptions)"/> starts a command: paramiko's
/// <c>exec_command(cmd, get_pty=..., environment=..., timeout=...)</c>.
/// </summary>
public sealed class CommandOptions
{
    /// <summary>
    /// Variables to set for the command, sent as <c>env</c> requests before it starts (paramiko's <c>environment</c>,
    /// ssh's <c>SetEnv</c>). sshd takes only the names its <c>AcceptEnv</c> allows; a variable it refuses is a
    /// <see cref="CommandRequestRefusedException"/> and the command is not started.
    /// </summary>
    /// <value>Empty.</value>
    public IDictionary<string, string> Environment { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Whether to ask for a pseudo-terminal (<c>pty-req</c>) before the command starts (paramiko's <c>get_pty</c>,
    /// ssh's <c>-t</c>): programs that insist on a terminal (<c>sudo</c> with <c>requiretty</c>, <c>top</c>) then run,
    /// stderr arrives mixed into stdout, and ending the channel hangs the command up. A refused request is a
    /// <see cref="CommandRequestRefusedException"/>.
    /// </summary>
    /// <value><see langword="false"/>.</value>
    public bool GetPty { get; set; }

    /// <summary>The terminal type sent with <see cref="GetPty"/> (it becomes the command's <c>TERM</c>).</summary>
    /// <value><c>vt100</c>, as paramiko.</value>
    public string TerminalType { get; set; } = "vt100";

    /// <summary>The terminal's width in characters, with <see cref="GetPty"/>.</summary>
    /// <value>80.</value>
    public int TerminalWidth { get; set; } = 80;

    /// <summary>The terminal's height in lines, with <see cref="GetPty"/>.</summary>
    /// <value>24.</value>
    public int TerminalHeight { get; set; } = 24;

    /// <summary>How long the command may run before it is cancelled.</summary>
    /// <value><see langword="null"/>: no limit.</value>
    public TimeSpan? Timeout { get; set; }
}
