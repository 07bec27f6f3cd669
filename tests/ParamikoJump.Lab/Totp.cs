using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace ParamikoJump.Lab;

/// <summary>RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s unless given), as pam_google_authenticator computes it.</summary>
public static class Totp
{
    public static string Compute(string base32Secret, DateTimeOffset at, int stepOffset = 0, int period = 30)
    {
        var counter = (at.ToUnixTimeSeconds() / period) + stepOffset;
        Span<byte> message = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(message, counter);
#pragma warning disable CA5350 // RFC 6238 and every TOTP authenticator use HMAC-SHA1.
        var hash = HMACSHA1.HashData(Base32Decode(base32Secret), message);
#pragma warning restore CA5350
        var offset = hash[^1] & 0x0f;
        var code = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7fffffff) % 1_000_000;
        return code.ToString("D6", CultureInfo.InvariantCulture);
    }

    private static byte[] Base32Decode(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var value = 0;
        var output = new List<byte>();
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            var index = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (index < 0)
            {
                throw new FormatException($"'{c}' is not a base32 character.");
            }

            value = (value << 5) | index;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)(value >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. output];
    }
}
