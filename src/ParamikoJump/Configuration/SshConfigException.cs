using System;

namespace ParamikoJump.Configuration;

/// <summary>
/// OpenSSH client configuration that ssh would refuse, or that ParamikoJump cannot follow: a bad line (named by
/// file and line), a ProxyJump loop, a ProxyCommand other than <c>ssh -W %h:%p HOST</c>, a <c>Match exec</c> that
/// was not allowed to run.
/// </summary>
public sealed class SshConfigException : ParamikoJumpException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What is wrong; the file and line are put in front of it.</param>
    /// <param name="filePath">The configuration file, or <see langword="null"/> when the problem is not in one line.</param>
    /// <param name="line">The 1-based line, or 0.</param>
    /// <param name="innerException">The cause, if any.</param>
    public SshConfigException(string message, string? filePath, int line, Exception? innerException = null)
        : base(filePath is null ? message : $"{filePath} line {line}: {message}", null, HopStage.Setup, innerException)
    {
        FilePath = filePath;
        Line = line;
    }

    /// <summary>The configuration file that holds the problem, or <see langword="null"/>.</summary>
    public string? FilePath { get; }

    /// <summary>The 1-based line of <see cref="FilePath"/>, or 0.</summary>
    public int Line { get; }
}
