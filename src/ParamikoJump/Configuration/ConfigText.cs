using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ParamikoJump.Configuration;

/// <summary>
/// How OpenSSH 9.2 cuts a configuration line into words and reads numbers, times and ports (readconf.c and
/// misc.c: strdelim, argv_split, strtonum, convtime, a2port), written from their documented behaviour so that a
/// line means here exactly what it means to ssh.
/// </summary>
internal static class ConfigText
{
    /// <summary>
    /// ssh's <c>strdelim</c>: the next word of <paramref name="rest"/>, split on whitespace, a quote or one
    /// <c>=</c>; <paramref name="rest"/> moves past it (null once nothing follows). A word opened by a quote with no
    /// closing quote gives null.
    /// </summary>
    public static string? StrDelim(ref string? rest)
    {
        if (rest is null)
        {
            return null;
        }

        var text = rest;
        var at = text.IndexOfAny([' ', '\t', '\r', '\n', '"', '=']);
        if (at < 0)
        {
            rest = null;
            return text;
        }

        if (text[at] == '"')
        {
            // The quote is removed; the word runs to the next quote.
            var unquoted = text.Remove(at, 1);
            var close = unquoted.IndexOf('"', at);
            if (close < 0)
            {
                rest = null;
                return null;
            }

            rest = unquoted.Substring(SkipWhitespace(unquoted, close + 1));
            return unquoted.Substring(0, close);
        }

        var sawEquals = text[at] == '=';
        var word = text.Substring(0, at);
        var next = SkipWhitespace(text, at + 1);
        if (!sawEquals && next < text.Length && text[next] == '=')
        {
            next = SkipWhitespace(text, next + 1);
        }

        rest = text.Substring(next);
        return word;
    }

    /// <summary>
    /// ssh's <c>argv_split</c> with comments ending the line: words split on spaces and tabs, single or double
    /// quotes grouping, <c>\\</c>, <c>\"</c>, <c>\'</c> and (outside quotes) <c>\ </c> escaping. Null when a quote
    /// is left open.
    /// </summary>
    public static List<string>? ArgvSplit(string text)
    {
        var words = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] is ' ' or '\t')
            {
                i++;
                continue;
            }

            if (text[i] == '#')
            {
                break;
            }

            var word = new StringBuilder();
            var quote = '\0';
            for (; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\\')
                {
                    if (i + 1 < text.Length && (text[i + 1] is '\'' or '"' or '\\' || (quote == '\0' && text[i + 1] == ' ')))
                    {
                        i++;
                        word.Append(text[i]);
                    }
                    else
                    {
                        word.Append(c);
                    }
                }
                else if (quote == '\0' && c is ' ' or '\t')
                {
                    break;
                }
                else if (quote == '\0' && c is '"' or '\'')
                {
                    quote = c;
                }
                else if (quote != '\0' && c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }
            }

            if (quote != '\0')
            {
                return null;
            }

            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>Strips trailing whitespace and form feeds, as ssh does before reading a line.</summary>
    public static string TrimLineEnd(string line)
    {
        var end = line.Length;
        while (end > 1 && (IsWhitespace(line[end - 1]) || line[end - 1] == '\f'))
        {
            end--;
        }

        return line.Substring(0, end);
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    public static int SkipWhitespace(string text, int from)
    {
        while (from < text.Length && IsWhitespace(text[from]))
        {
            from++;
        }

        return from;
    }

    /// <summary>strtonum(s, min, max): a whole decimal number (leading space and a sign allowed) within the range, or null.</summary>
    public static long? StrToNum(string? text, long min, long max)
    {
        if (text is null || !TryStrToLong(text, out var value, out var end) || end != text.Length)
        {
            return null;
        }

        return value < min || value > max ? null : value;
    }

    /// <summary>
    /// ssh's <c>convtime</c>: seconds from a sequence of numbers each with an optional unit (s, m, h, d, w), e.g.
    /// <c>1h30m</c>; null when invalid or past int.MaxValue.
    /// </summary>
    public static int? ConvTime(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        long total = 0;
        var at = 0;
        while (at < text!.Length)
        {
            if (!TryStrToLong(text, out var seconds, out var end, at) || end == at || seconds < 0 || seconds >= int.MaxValue)
            {
                return null;
            }

            long multiplier = 1;
            if (end < text.Length)
            {
                switch (text[end])
                {
                    case 's' or 'S': break;
                    case 'm' or 'M': multiplier = 60; break;
                    case 'h' or 'H': multiplier = 3600; break;
                    case 'd' or 'D': multiplier = 86400; break;
                    case 'w' or 'W': multiplier = 604800; break;
                    default: return null;
                }

                end++;
            }

            if (seconds > int.MaxValue / multiplier)
            {
                return null;
            }

            seconds *= multiplier;
            if (total > int.MaxValue - seconds)
            {
                return null;
            }

            total += seconds;
            at = end;
        }

        return (int)total;
    }

    /// <summary>ssh's <c>a2port</c>: a port 0-65535 or a TCP service name from the services file; null when neither.</summary>
    public static int? A2Port(string text)
    {
        if (StrToNum(text, 0, 65535) is { } port)
        {
            return (int)port;
        }

        return Services.Port(text);
    }

    /// <summary>
    /// strtoll in base 10 from <paramref name="start"/>: leading whitespace, an optional sign, digits. Fails when no
    /// digit follows or the value overflows; <paramref name="end"/> is where the number stopped.
    /// </summary>
    private static bool TryStrToLong(string text, out long value, out int end, int start = 0)
    {
        value = 0;
        end = start;
        var i = start;
        while (i < text.Length && text[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
        {
            i++;
        }

        var negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }

        var digitsFrom = i;
        decimal accumulated = 0;
        while (i < text.Length && text[i] is >= '0' and <= '9')
        {
            accumulated = (accumulated * 10) + (text[i] - '0');
            if (accumulated > (decimal)long.MaxValue + 1)
            {
                return false;
            }

            i++;
        }

        if (i == digitsFrom)
        {
            return false;
        }

        var signed = negative ? -accumulated : accumulated;
        if (signed > long.MaxValue || signed < long.MinValue)
        {
            return false;
        }

        value = (long)signed;
        end = i;
        return true;
    }

    /// <summary>Lowercases ASCII letters only, as ssh's <c>lowercase</c> (tolower in the C locale) does.</summary>
    public static string LowerAscii(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] is >= 'A' and <= 'Z')
            {
                chars[i] = (char)(chars[i] + 32);
            }
        }

        return new string(chars);
    }

    /// <summary>strcasecmp for ASCII.</summary>
    public static bool EqualsIgnoreCase(string? a, string b) => a is not null && string.Equals(LowerAscii(a), LowerAscii(b), StringComparison.Ordinal);

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
