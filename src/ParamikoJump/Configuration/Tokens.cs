using System;
using System.Collections.Generic;
using System.Text;

namespace ParamikoJump.Configuration;

/// <summary>
/// ssh's percent_expand and percent_dollar_expand: <c>%x</c> tokens from a fixed table, <c>%%</c> for a percent
/// sign, and (where ssh allows it) <c>${VAR}</c> environment variables. An unknown token, a lone <c>%</c> or an
/// unset variable is an error, as in ssh.
/// </summary>
internal static class Tokens
{
    /// <summary>Expands <paramref name="text"/>; returns null and sets <paramref name="error"/> when ssh would refuse it.</summary>
    public static string? Expand(string text, IReadOnlyDictionary<char, string> tokens, Func<string, string?>? environment, out string? error)
    {
        error = null;
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (environment is not null && c == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                var close = text.IndexOf('}', i + 2);
                if (close < 0)
                {
                    error = $"environment variable '{text.Substring(i + 2)}' has no closing '}}'";
                    return null;
                }

                var name = text.Substring(i + 2, close - i - 2);
                if (name.Length == 0)
                {
                    error = "zero-length environment variable '${}'";
                    return null;
                }

                var value = environment(name);
                if (value is null)
                {
                    error = $"environment variable ${{{name}}} has no value";
                    return null;
                }

                result.Append(value);
                i = close;
                continue;
            }

            if (c != '%')
            {
                result.Append(c);
                continue;
            }

            if (++i >= text.Length)
            {
                error = "a '%' ends the text (write %% for a percent sign)";
                return null;
            }

            if (text[i] == '%')
            {
                result.Append('%');
            }
            else if (tokens.TryGetValue(text[i], out var replacement))
            {
                result.Append(replacement);
            }
            else
            {
                error = $"unknown token %{text[i]}";
                return null;
            }
        }

        return result.ToString();
    }
}
