using System.Globalization;
using System.Text;

namespace ParamikoJump;

/// <summary>
/// Makes text a server sent (prompts, instructions, banners, versions, refusal reasons) safe to show a person or
/// write to a log, as OpenSSH's escaping printer does: a server must not be able to move the cursor, clear the
/// screen, set the window title, overwrite a line or reorder it. ParamikoJump passes server text through this
/// before any console, log line or exception message; handlers still receive the exact text.
/// </summary>
public static class ServerText
{
    /// <summary>The most characters of one server text kept in a message; the rest is counted, not shown.</summary>
    public const int MaxLength = 2048;

    /// <summary>
    /// Escapes control characters (C0, DEL, C1, and so ESC sequences), Unicode format characters (bidi overrides,
    /// zero-width characters) and unpaired surrogates as visible <c>\xHH</c> / <c>\uHHHH</c> escapes, and cuts the
    /// text at <see cref="MaxLength"/> characters.
    /// </summary>
    /// <param name="text">The server's text; <see langword="null"/> is treated as empty.</param>
    /// <param name="allowLineBreaks">
    /// Whether line feeds (and CRLF, shown as a line feed) may stay, for multi-line banners and instructions; a lone
    /// carriage return, which would overwrite what was printed, is always escaped.
    /// </param>
    /// <returns>Text with nothing a terminal would act on.</returns>
    public static string Escape(string? text, bool allowLineBreaks = false) => EscapeUpTo(text, allowLineBreaks, MaxLength);

    /// <summary>
    /// Escapes as <see cref="Escape(string?, bool)"/> does, keeping the whole text: for whole log lines and exception
    /// chains (stack traces included), where the server's part was cut already or comes from SSH.NET unescaped.
    /// </summary>
    internal static string EscapeWhole(string? text, bool allowLineBreaks = true) => EscapeUpTo(text, allowLineBreaks, int.MaxValue);

    private static string EscapeUpTo(string? text, bool allowLineBreaks, int maxLength)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var value = text!;
        var shown = value.Length > maxLength ? maxLength : value.Length;
        var escaped = new StringBuilder(shown + 16);
        for (var i = 0; i < shown; i++)
        {
            var c = value[i];
            if (allowLineBreaks && c == '\r' && i + 1 < value.Length && value[i + 1] == '\n')
            {
                continue;
            }

            if ((allowLineBreaks && c == '\n') || c == '\t')
            {
                escaped.Append(c);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                AppendPair(escaped, c, value[++i]);
            }
            else if (NeedsEscape(c))
            {
                escaped.Append(c <= 0xFF ? "\\x" + ((int)c).ToString("x2", CultureInfo.InvariantCulture) : "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                escaped.Append(c);
            }
        }

        if (shown < value.Length)
        {
            escaped.Append(string.Format(CultureInfo.InvariantCulture, "... ({0} more characters)", value.Length - shown));
        }

        return escaped.ToString();
    }

    private static void AppendPair(StringBuilder escaped, char high, char low)
    {
        // Supplementary-plane format characters (tag characters U+E0000-E007F) are invisible too.
        if (CharUnicodeInfo.GetUnicodeCategory(high.ToString() + low, 0) == UnicodeCategory.Format)
        {
            escaped.Append("\\U").Append(char.ConvertToUtf32(high, low).ToString("x8", CultureInfo.InvariantCulture));
        }
        else
        {
            escaped.Append(high).Append(low);
        }
    }

    private static bool NeedsEscape(char c) =>
        c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || char.IsSurrogate(c) ||
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
