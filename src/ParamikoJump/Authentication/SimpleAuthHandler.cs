using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace ParamikoJump.Authentication;

/// <summary>
/// Asks a person on the console: shows the server's login banner and instruction, labels each prompt with the hop it
/// belongs to, <c>(user@host)</c>, as ssh does, reads echoed prompts visibly and the others hidden when the input is a
/// terminal. With redirected input it reads one line per prompt. Everything the server wrote is shown escaped
/// (<see cref="ServerText.Escape"/>): a server cannot clear the screen, move the cursor or draw over the prompt.
/// </summary>
/// <remarks>SSH.NET does not pass on the round's name (RFC 4256), so only the instruction and prompts are shown.</remarks>
public sealed class SimpleAuthHandler : IKeyboardInteractiveHandler, IAuthenticationBannerHandler
{
    // Hops connecting at once must not interleave their questions on one console.
    private static readonly object ConsoleGate = new();

    private readonly TextReader? _input;
    private readonly TextWriter? _output;

    /// <summary>Asks on <see cref="Console"/>, hiding input where the server says so.</summary>
    public SimpleAuthHandler()
    {
    }

    /// <summary>Asks on the given reader and writer (for tests and custom front ends); input is read a line per prompt.</summary>
    /// <param name="input">Where answers are read from.</param>
    /// <param name="output">Where the instruction and prompts are written.</param>
    public SimpleAuthHandler(TextReader input, TextWriter output)
    {
        _input = input ?? throw new ArgumentNullException(nameof(input));
        _output = output ?? throw new ArgumentNullException(nameof(output));
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Respond(KeyboardInteractiveRound round)
    {
        if (round is null)
        {
            throw new ArgumentNullException(nameof(round));
        }

        lock (ConsoleGate)
        {
            var output = _output ?? Console.Out;
            if (!string.IsNullOrWhiteSpace(round.Instruction))
            {
                output.WriteLine(ServerText.Escape(round.Instruction.TrimEnd(), allowLineBreaks: true));
            }

            var answers = new string[round.Prompts.Count];
            foreach (var prompt in round.Prompts)
            {
                output.Write($"({ServerText.Escape(round.Username)}@{ServerText.Escape(round.Host)}) {ServerText.Escape(prompt.Text)}");
                output.Flush();
                answers[prompt.Index] = ReadAnswer(prompt, output)
                    ?? throw new EndOfStreamException($"The input ended before prompt '{ServerText.Escape(prompt.Text.Trim())}' of {round.Hop} was answered.");
            }

            return answers;
        }
    }

    /// <summary>Prints the server's login banner, escaped.</summary>
    /// <param name="hop">The hop that is logging in.</param>
    /// <param name="banner">The banner as the server sent it.</param>
    public void ShowBanner(HopIdentity hop, string banner)
    {
        if (hop is null)
        {
            throw new ArgumentNullException(nameof(hop));
        }

        if (string.IsNullOrWhiteSpace(banner))
        {
            return;
        }

        lock (ConsoleGate)
        {
            var output = _output ?? Console.Out;
            output.WriteLine(ServerText.Escape(banner.TrimEnd(), allowLineBreaks: true));
            output.Flush();
        }
    }

    private string? ReadAnswer(KeyboardInteractivePrompt prompt, TextWriter output)
    {
        if (_input is not null || Console.IsInputRedirected)
        {
            // Piped answers are never shown: end the prompt's line so the transcript stays readable.
            var piped = (_input ?? Console.In).ReadLine();
            output.WriteLine();
            return piped;
        }

        if (prompt.IsEchoed)
        {
            return Console.ReadLine();
        }

        var hidden = ReadHiddenLine();
        output.WriteLine();
        return hidden;
    }

    private static string ReadHiddenLine()
    {
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    return text.ToString();
                case ConsoleKey.Backspace:
                    if (text.Length > 0)
                    {
                        text.Length--;
                    }

                    break;
                default:
                    if (key.KeyChar != '\0')
                    {
                        text.Append(key.KeyChar);
                    }

                    break;
            }
        }
    }
}
