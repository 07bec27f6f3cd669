namespace ParamikoJump.Configuration;

/// <summary>
/// ssh_config's patterns (match.c): <c>*</c> and <c>?</c> globs compared character by character, and
/// comma-separated lists where a matching <c>!</c> pattern vetoes the list.
/// </summary>
internal static class SshPatterns
{
    /// <summary>match_pattern: the whole of <paramref name="text"/> against one glob, case-sensitive.</summary>
    public static bool Match(string text, string pattern)
    {
        int t = 0, p = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]) && pattern[p] != '*')
            {
                t++;
                p++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    /// <summary>
    /// match_pattern_list: -1 when a negated pattern matches, 1 when a positive one does, 0 otherwise. With
    /// <paramref name="lowerPatterns"/> the patterns are lowercased first (the text is taken as given).
    /// </summary>
    public static int MatchList(string text, string list, bool lowerPatterns)
    {
        var positive = false;
        var i = 0;
        while (i < list.Length)
        {
            var negated = list[i] == '!';
            if (negated)
            {
                i++;
            }

            var end = list.IndexOf(',', i);
            if (end < 0)
            {
                end = list.Length;
            }

            var sub = list.Substring(i, end - i);
            if (sub.Length >= 1023)
            {
                // OpenSSH gives up on a sub-pattern longer than its buffer: no match at all.
                return 0;
            }

            if (lowerPatterns)
            {
                sub = ConfigText.LowerAscii(sub);
            }

            i = end < list.Length ? end + 1 : end;
            if (Match(text, sub))
            {
                if (negated)
                {
                    return -1;
                }

                positive = true;
            }
        }

        return positive ? 1 : 0;
    }

    /// <summary>match_hostname: the host lowercased against a lowercased pattern list.</summary>
    public static int MatchHost(string host, string list) => MatchList(ConfigText.LowerAscii(host), list, lowerPatterns: true);
}
