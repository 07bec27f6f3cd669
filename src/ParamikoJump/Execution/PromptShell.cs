using System;
using System.Globalization;
using System.Text.RegularExpressions;
using Renci.SshNet;

namespace ParamikoJump.Execution;

/// <summary>
/// An interactive shell driven by its prompts, for servers that take commands only at a CLI prompt (network gear
/// behind a bastion, <c>sh ip int br</c>): send a line, read to the next prompt, within a timeout (Expect's shape,
/// on SSH.NET's <see cref="ShellStream"/> with a terminal). A prompt that does not come in time is a
/// <see cref="HopTimeoutException"/> naming the hop and the pattern, with the output seen so far, escaped.
/// </summary>
public sealed class PromptShell : IDisposable
{
    private readonly ShellStream _shell;
    private readonly HopIdentity _hop;

    /// <summary>Opens a shell on <paramref name="client"/> and waits for its first prompt.</summary>
    /// <param name="client">A connected client.</param>
    /// <param name="prompt">What ends each command's output: the device's prompt, e.g. <c>new Regex(@"[\w.-]+[>#] ?$")</c>.</param>
    /// <param name="timeout">How long each wait for a prompt may take.</param>
    /// <exception cref="HopTimeoutException">The first prompt did not come within <paramref name="timeout"/>.</exception>
    public PromptShell(SshJumpClient client, Regex prompt, TimeSpan timeout)
    {
        if (client is null)
        {
            throw new ArgumentNullException(nameof(client));
        }

        Prompt = prompt ?? throw new ArgumentNullException(nameof(prompt));
        if (timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "A prompt timeout must be positive.");
        }

        Timeout = timeout;
        _hop = client.Hop;
        // A wide terminal, so devices do not wrap or page long lines.
        _shell = client.CreateShellStream("vt100", 200, 1000, 0, 0, 64 * 1024);
        try
        {
            Banner = ReadTo(Prompt, Timeout, "the first prompt");
        }
        catch
        {
            _shell.Dispose();
            throw;
        }
    }

    /// <summary>The pattern that ends each command's output.</summary>
    public Regex Prompt { get; }

    /// <summary>How long each wait for a prompt may take.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>What the server printed before its first prompt (a banner or message of the day), without the prompt.</summary>
    public string Banner { get; }

    /// <summary>Sends one command line and returns its output: without the echoed line and without the prompt that ended it.</summary>
    /// <param name="line">The command, without a newline.</param>
    /// <returns>The output, with <c>\n</c> line ends.</returns>
    /// <exception cref="HopTimeoutException">The prompt did not come back within <see cref="Timeout"/>.</exception>
    public string Run(string line) => SendAndExpect(line, Prompt, Timeout);

    /// <summary>Sends one line and reads to <paramref name="until"/> (a sub-prompt such as <c>Password:</c> or <c>--More--</c>).</summary>
    /// <param name="line">The line, without a newline.</param>
    /// <param name="until">What ends the wait.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout"/> when null.</param>
    /// <returns>The output up to the match, without the echoed line and without the match.</returns>
    /// <exception cref="HopTimeoutException">Nothing matched within the timeout.</exception>
    public string SendAndExpect(string line, Regex until, TimeSpan? timeout = null)
    {
        if (line is null || line.IndexOfAny(['\r', '\n']) >= 0)
        {
            throw new ArgumentException("A line is sent without line breaks.", nameof(line));
        }

        _shell.WriteLine(line);
        // The line itself is not named in a timeout's message: it may be a password typed at a sub-prompt.
        var output = ReadTo(until ?? throw new ArgumentNullException(nameof(until)), timeout ?? Timeout, "the line sent");
        var firstBreak = output.IndexOf('\n');
        var firstLine = firstBreak < 0 ? output : output.Substring(0, firstBreak);
        return firstLine.TrimEnd() == line.TrimEnd() || firstLine.EndsWith(line, StringComparison.Ordinal)
            ? (firstBreak < 0 ? string.Empty : output.Substring(firstBreak + 1))
            : output;
    }

    /// <summary>Closes the shell.</summary>
    public void Dispose() => _shell.Dispose();

    private string ReadTo(Regex until, TimeSpan timeout, string after)
    {
        var text = _shell.Expect(until, timeout);
        if (text is null)
        {
            var seen = _shell.Read();
            throw new HopTimeoutException(
                string.Format(
                    CultureInfo.InvariantCulture,
                    "No prompt matching /{0}/ within {1:0.###} s after {2}; the output so far ends: '{3}'",
                    ServerText.Escape(until.ToString()),
                    timeout.TotalSeconds,
                    after,
                    ServerText.Escape(seen.Length > 200 ? seen.Substring(seen.Length - 200) : seen)),
                _hop,
                HopStage.Session,
                timeout);
        }

        var normalized = text.Replace("\r\n", "\n").Replace("\r", string.Empty);
        var match = until.Match(normalized);
        var end = match.Success ? LastMatchStart(until, normalized) : normalized.Length;
        return normalized.Substring(0, end);
    }

    private static int LastMatchStart(Regex pattern, string text)
    {
        var start = text.Length;
        for (var match = pattern.Match(text); match.Success; match = match.NextMatch())
        {
            start = match.Index;
        }

        return start;
    }
}
