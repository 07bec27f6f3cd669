using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Text;

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// The client side of the ssh-agent protocol (draft-miller-ssh-agent): listing identities and asking for
/// signatures. Each request uses its own connection, so a long-lived hop never holds the agent open.
/// Transport and protocol errors surface as <see cref="IOException"/> (truncated replies as its <see cref="EndOfStreamException"/>).
/// </summary>
internal sealed class AgentClient
{
    /// <summary>SSH_AGENT_RSA_SHA2_256: sign an RSA key's data with rsa-sha2-256.</summary>
    public const uint RsaSha2256 = 2;

    /// <summary>SSH_AGENT_RSA_SHA2_512: sign an RSA key's data with rsa-sha2-512.</summary>
    public const uint RsaSha2512 = 4;

    private const byte Failure = 5;
    private const byte RequestIdentities = 11;
    private const byte IdentitiesAnswer = 12;
    private const byte SignRequest = 13;
    private const byte SignResponse = 14;

    // OpenSSH's agent refuses messages above 256 KiB; a longer length means the peer is not an agent.
    private const int MaxMessageLength = 256 * 1024;

    private readonly Func<Stream> _connect;

    public AgentClient(string socketPath, TimeSpan timeout)
        : this(socketPath, () => AgentSocket.Connect(socketPath, timeout))
    {
    }

    /// <summary>A client of the agent <paramref name="connect"/> reaches, called <paramref name="socketPath"/> in messages.</summary>
    internal AgentClient(string socketPath, Func<Stream> connect)
    {
        SocketPath = socketPath;
        _connect = connect;
    }

    /// <summary>Where the agent is: a socket path, a pipe, or <see cref="PageantWindow.Locator"/>.</summary>
    public string SocketPath { get; }

    /// <summary>The keys the agent offers; empty when it holds none or is locked.</summary>
    /// <exception cref="IOException">The agent cannot be reached, refused the request, or answered nonsense.</exception>
    public IReadOnlyList<AgentIdentity> ListIdentities()
    {
        var reply = Exchange([RequestIdentities]);
        if (reply[0] == Failure)
        {
            throw new IOException("the agent refused to list its keys");
        }

        Expect(reply, IdentitiesAnswer);
        var offset = 1;
        var count = SshWire.ReadUInt32(reply, ref offset);
        var identities = new List<AgentIdentity>();
        for (var i = 0; i < count; i++)
        {
            var blob = SshWire.ReadString(reply, ref offset);
            var comment = Encoding.UTF8.GetString(SshWire.ReadString(reply, ref offset));
            identities.Add(new AgentIdentity(blob, comment));
        }

        return identities;
    }

    /// <summary>The signature blob (algorithm name and signature) over <paramref name="data"/>, or <see langword="null"/> if the agent refused.</summary>
    /// <exception cref="IOException">The agent cannot be reached or answered nonsense.</exception>
    public byte[]? Sign(byte[] keyBlob, byte[] data, uint flags)
    {
        using var request = new MemoryStream();
        request.WriteByte(SignRequest);
        SshWire.WriteString(request, keyBlob);
        SshWire.WriteString(request, data);
        SshWire.WriteUInt32(request, flags);

        var reply = Exchange(request.ToArray());
        if (reply[0] == Failure)
        {
            return null;
        }

        Expect(reply, SignResponse);
        var offset = 1;
        return SshWire.ReadString(reply, ref offset);
    }

    private static void Expect(byte[] reply, byte type)
    {
        if (reply[0] != type)
        {
            throw new IOException($"the agent answered with message type {reply[0]} where {type} was expected");
        }
    }

    private static void ReadExactly(Stream stream, byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                throw new IOException("the agent closed the connection");
            }

            read += n;
        }
    }

    private byte[] Exchange(byte[] request)
    {
        try
        {
            using var stream = _connect();
            using (var framed = new MemoryStream(request.Length + 4))
            {
                SshWire.WriteString(framed, request);
                stream.Write(framed.GetBuffer(), 0, (int)framed.Length);
            }

            var header = new byte[4];
            ReadExactly(stream, header);
            var offset = 0;
            var length = SshWire.ReadUInt32(header, ref offset);
            if (length is 0 or > MaxMessageLength)
            {
                throw new IOException($"the agent sent a message of {length} bytes");
            }

            var reply = new byte[length];
            ReadExactly(stream, reply);
            return reply;
        }
        catch (SocketException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }
}
