using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace ParamikoJump.Configuration;

/// <summary>
/// ssh's is_addr and its canonical spelling of numeric addresses: an address is not lowercased, and is rewritten
/// in the form getnameinfo prints (<c>10.1</c> becomes <c>10.0.0.1</c>, <c>fd00:0::1</c> becomes <c>fd00::1</c>).
/// </summary>
internal static class HostAddress
{
    /// <summary>Whether ssh takes <paramref name="name"/> for an address (and so leaves its case alone).</summary>
    public static bool IsAddress(string name) =>
        name.Contains("%") || name.Contains(":") || name.All(c => c is (>= '0' and <= '9') or '.') || ParseIPv4(name) is not null;

    /// <summary>The canonical form of a numeric address, or null when <paramref name="name"/> is not one.</summary>
    public static string? Canonical(string name)
    {
        string? canonical = null;
        if (ParseIPv4(name) is { } v4)
        {
            canonical = v4;
        }
        else if (name.Contains(":") && !name.Contains("%") && IPAddress.TryParse(name, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            canonical = address.ToString();
        }

        // ssh keeps the name as written when only the case differs.
        return canonical is not null && !ConfigText.EqualsIgnoreCase(canonical, name) ? canonical : null;
    }

    /// <summary>inet_aton: one to four parts, each decimal, octal (leading 0) or hex (0x), the last filling the rest.</summary>
    private static string? ParseIPv4(string name)
    {
        if (name.Length == 0 || name.EndsWith(".", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = name.Split('.');
        if (parts.Length > 4)
        {
            return null;
        }

        var values = new ulong[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (ParsePart(parts[i]) is not { } value)
            {
                return null;
            }

            values[i] = value;
        }

        ulong address = 0;
        for (var i = 0; i < values.Length - 1; i++)
        {
            if (values[i] > 255)
            {
                return null;
            }

            address |= values[i] << (24 - (8 * i));
        }

        var lastBits = 8 * (5 - values.Length);
        var last = values[values.Length - 1];
        if (lastBits < 64 && last >= 1UL << (lastBits > 32 ? 32 : lastBits))
        {
            return null;
        }

        address |= last;
        return string.Join(".", Enumerable.Range(0, 4).Select(i => ((address >> (24 - (8 * i))) & 0xFF).ToString(CultureInfo.InvariantCulture)));
    }

    private static ulong? ParsePart(string part)
    {
        if (part.Length == 0)
        {
            return null;
        }

        var numberBase = 10;
        var digits = part;
        if (part.Length > 1 && part[0] == '0' && (part[1] is 'x' or 'X'))
        {
            numberBase = 16;
            digits = part.Substring(2);
        }
        else if (part.Length > 1 && part[0] == '0')
        {
            numberBase = 8;
            digits = part.Substring(1);
        }

        ulong value = 0;
        foreach (var c in digits)
        {
            var digit = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : c is >= 'A' and <= 'F' ? c - 'A' + 10 : 99;
            if (digit >= numberBase)
            {
                return null;
            }

            value = (value * (ulong)numberBase) + (ulong)digit;
            if (value > uint.MaxValue)
            {
                return null;
            }
        }

        return value;
    }
}
