using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace ParamikoJump.HostKeys;

/// <summary>
/// Reads the SSH wire encoding of public keys (RFC 4253 §6.6) and OpenSSH certificates (PROTOCOL.certkeys):
/// enough to name a key's type, fingerprint it, and take the plain key out of a certificate. Never throws on
/// malformed input; it answers <see langword="null"/> instead.
/// </summary>
internal static class SshKeyBlob
{
    private const string CertSuffix = "-cert-v01@openssh.com";

    // How many length-prefixed fields each certified key type carries between the nonce and the serial.
    private static readonly Dictionary<string, (string PlainType, int Fields)> CertifiedKeys = new(StringComparer.Ordinal)
    {
        ["ssh-ed25519-cert-v01@openssh.com"] = ("ssh-ed25519", 1),
        ["ssh-rsa-cert-v01@openssh.com"] = ("ssh-rsa", 2),
        ["ecdsa-sha2-nistp256-cert-v01@openssh.com"] = ("ecdsa-sha2-nistp256", 2),
        ["ecdsa-sha2-nistp384-cert-v01@openssh.com"] = ("ecdsa-sha2-nistp384", 2),
        ["ecdsa-sha2-nistp521-cert-v01@openssh.com"] = ("ecdsa-sha2-nistp521", 2),
        ["ssh-dss-cert-v01@openssh.com"] = ("ssh-dss", 4),
        ["sk-ssh-ed25519-cert-v01@openssh.com"] = ("sk-ssh-ed25519@openssh.com", 2),
        ["sk-ecdsa-sha2-nistp256-cert-v01@openssh.com"] = ("sk-ecdsa-sha2-nistp256@openssh.com", 3),
    };

    /// <summary>The type name a key or certificate blob starts with, e.g. <c>ssh-ed25519</c>.</summary>
    public static string? TypeOf(byte[] blob)
    {
        var offset = 0;
        return TryReadString(blob, ref offset, out var start, out var length)
            ? Encoding.ASCII.GetString(blob, start, length)
            : null;
    }

    public static bool IsCertificate(byte[] blob) => TypeOf(blob) is { } type && type.EndsWith(CertSuffix, StringComparison.Ordinal);

    /// <summary>The plain public key a certificate certifies, encoded as that key alone would be.</summary>
    public static byte[]? PlainKeyOf(byte[] certificate)
    {
        var offset = 0;
        if (!TryReadString(certificate, ref offset, out var typeStart, out var typeLength)
            || !CertifiedKeys.TryGetValue(Encoding.ASCII.GetString(certificate, typeStart, typeLength), out var shape)
            || !TryReadString(certificate, ref offset, out _, out _))
        {
            return null;
        }

        var fieldsStart = offset;
        for (var i = 0; i < shape.Fields; i++)
        {
            if (!TryReadString(certificate, ref offset, out _, out _))
            {
                return null;
            }
        }

        var type = Encoding.ASCII.GetBytes(shape.PlainType);
        var plain = new byte[4 + type.Length + (offset - fieldsStart)];
        WriteUInt32(plain, 0, type.Length);
        Buffer.BlockCopy(type, 0, plain, 4, type.Length);
        Buffer.BlockCopy(certificate, fieldsStart, plain, 4 + type.Length, offset - fieldsStart);
        return plain;
    }

    /// <summary>OpenSSH's fingerprint: <c>SHA256:</c> and unpadded base64.</summary>
    public static string Fingerprint(byte[] blob)
    {
#if NET8_0_OR_GREATER
        var hash = SHA256.HashData(blob);
#else
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(blob);
#endif
        return "SHA256:" + Convert.ToBase64String(hash).TrimEnd('=');
    }

    public static bool SameKey(byte[]? a, byte[]? b)
    {
        if (a is null || b is null || a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryReadString(byte[] data, ref int offset, out int start, out int length)
    {
        start = 0;
        length = 0;
        if (data.Length - offset < 4)
        {
            return false;
        }

        var declared = ((uint)data[offset] << 24) | ((uint)data[offset + 1] << 16) | ((uint)data[offset + 2] << 8) | data[offset + 3];
        if (declared > (uint)(data.Length - offset - 4))
        {
            return false;
        }

        start = offset + 4;
        length = (int)declared;
        offset = start + length;
        return true;
    }

    private static void WriteUInt32(byte[] buffer, int offset, int value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }
}
