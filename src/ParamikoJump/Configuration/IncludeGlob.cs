using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace ParamikoJump.Configuration;

/// <summary>
/// glob(3) as ssh's <c>Include</c> calls it (GLOB_TILDE): <c>*</c>, <c>?</c> and <c>[...]</c> in any path
/// segment, <c>\</c> escapes, a leading dot matched only by a dot, results sorted byte-wise.
/// </summary>
internal static class IncludeGlob
{
    public static List<string> Expand(string pattern, LocalAccount account)
    {
        if (pattern.StartsWith("~", StringComparison.Ordinal))
        {
            var slash = pattern.IndexOf('/');
            var head = slash < 0 ? pattern : pattern.Substring(0, slash);
            if (account.ExpandTilde(head) is { } home)
            {
                pattern = home.TrimEnd('/') + (slash < 0 ? string.Empty : pattern.Substring(slash));
            }
        }

        var absolute = pattern.StartsWith("/", StringComparison.Ordinal);
        var segments = pattern.Split(['/'], StringSplitOptions.RemoveEmptyEntries);
        var found = new List<string> { absolute ? "/" : string.Empty };
        foreach (var segment in segments)
        {
            var next = new List<string>();
            foreach (var directory in found)
            {
                if (!HasMagic(segment))
                {
                    next.Add(Join(directory, Unescape(segment)));
                    continue;
                }

                IEnumerable<string> names;
                try
                {
                    names = Directory.EnumerateFileSystemEntries(directory.Length == 0 ? "." : directory).Select(Path.GetFileName).OfType<string>().ToList();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    continue;
                }

                next.AddRange(names.Where(name => Matches(name, segment)).Select(name => Join(directory, name)));
            }

            found = next;
        }

        return found.Where(path => path.Length > 0 && (File.Exists(path) || Directory.Exists(path)))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(path => Encoding.UTF8.GetBytes(path), ByteOrder.Instance)
            .ToList();
    }

    private static string Join(string directory, string name) => directory.Length == 0 ? name : directory.EndsWith("/", StringComparison.Ordinal) ? directory + name : directory + "/" + name;

    private static bool HasMagic(string segment)
    {
        for (var i = 0; i < segment.Length; i++)
        {
            if (segment[i] == '\\')
            {
                i++;
            }
            else if (segment[i] is '*' or '?' or '[')
            {
                return true;
            }
        }

        return false;
    }

    private static string Unescape(string segment)
    {
        var text = new StringBuilder(segment.Length);
        for (var i = 0; i < segment.Length; i++)
        {
            if (segment[i] == '\\' && i + 1 < segment.Length)
            {
                i++;
            }

            text.Append(segment[i]);
        }

        return text.ToString();
    }

    /// <summary>fnmatch with FNM_PERIOD for one path segment.</summary>
    private static bool Matches(string name, string pattern)
    {
        if (name.StartsWith(".", StringComparison.Ordinal) && !pattern.StartsWith(".", StringComparison.Ordinal) && !pattern.StartsWith("\\.", StringComparison.Ordinal))
        {
            return false;
        }

        return Match(name, 0, pattern, 0);
    }

    private static bool Match(string name, int n, string pattern, int p)
    {
        while (p < pattern.Length)
        {
            var c = pattern[p];
            switch (c)
            {
                case '*':
                    while (p < pattern.Length && pattern[p] == '*')
                    {
                        p++;
                    }

                    if (p == pattern.Length)
                    {
                        return true;
                    }

                    for (var k = n; k <= name.Length; k++)
                    {
                        if (Match(name, k, pattern, p))
                        {
                            return true;
                        }
                    }

                    return false;
                case '?':
                    if (n >= name.Length)
                    {
                        return false;
                    }

                    n++;
                    p++;
                    break;
                case '[':
                    if (n >= name.Length || ClassEnd(pattern, p) is not { } end)
                    {
                        // An unclosed bracket is an ordinary character.
                        if (n >= name.Length || name[n] != '[')
                        {
                            return false;
                        }

                        n++;
                        p++;
                        break;
                    }

                    if (!InClass(name[n], pattern, p + 1, end))
                    {
                        return false;
                    }

                    n++;
                    p = end + 1;
                    break;
                default:
                    if (c == '\\' && p + 1 < pattern.Length)
                    {
                        c = pattern[++p];
                    }

                    if (n >= name.Length || name[n] != c)
                    {
                        return false;
                    }

                    n++;
                    p++;
                    break;
            }
        }

        return n == name.Length;
    }

    private static int? ClassEnd(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] is '!' or '^')
        {
            i++;
        }

        if (i < pattern.Length && pattern[i] == ']')
        {
            i++;
        }

        while (i < pattern.Length && pattern[i] != ']')
        {
            i++;
        }

        return i < pattern.Length ? i : null;
    }

    private static bool InClass(char c, string pattern, int from, int end)
    {
        var negate = pattern[from] is '!' or '^';
        if (negate)
        {
            from++;
        }

        var matched = false;
        for (var i = from; i < end; i++)
        {
            var low = pattern[i];
            if (i + 2 < end && pattern[i + 1] == '-')
            {
                if (c >= low && c <= pattern[i + 2])
                {
                    matched = true;
                }

                i += 2;
            }
            else if (c == low)
            {
                matched = true;
            }
        }

        return matched != negate;
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y)
        {
            var a = x ?? [];
            var b = y ?? [];
            for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
            {
                if (a[i] != b[i])
                {
                    return a[i].CompareTo(b[i]);
                }
            }

            return a.Length.CompareTo(b.Length);
        }
    }
}
