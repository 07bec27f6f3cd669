using System;
using System.IO;

namespace ParamikoJump.Keys;

/// <summary>The few SSH wire encodings (RFC 4251 §5) the agent protocol needs; key blobs are read by <see cref="HostKeys.SshKeyBlob"/>.</summary>
internal static class SshWire
{
    public static void WriteUInt32(Stream stream, uint value)
    {
        stream.WriteByte((byte)(value >> 24));
        stream.WriteByte((byte)(value >> 16));
        stream.WriteByte((byte)(value >> 8));
        stream.WriteByte((byte)value);
    }

    public static void WriteString(Stream stream, byte[] value)
    {
        WriteUInt32(stream, (uint)value.Length);
        stream.Write(value, 0, value.Length);
    }

    public static uint ReadUInt32(byte[] buffer, ref int offset)
    {
        if (buffer.Length - offset < 4)
        {
            throw new EndOfStreamException("truncated SSH message");
        }

        var value = ((uint)buffer[offset] << 24) | ((uint)buffer[offset + 1] << 16) | ((uint)buffer[offset + 2] << 8) | buffer[offset + 3];
        offset += 4;
        return value;
    }

    public static byte[] ReadString(byte[] buffer, ref int offset)
    {
        var length = ReadUInt32(buffer, ref offset);
        if (length > (uint)(buffer.Length - offset))
        {
            throw new EndOfStreamException("truncated SSH message");
        }

        var value = new byte[length];
        Buffer.BlockCopy(buffer, offset, value, 0, (int)length);
        offset += (int)length;
        return value;
    }
}
