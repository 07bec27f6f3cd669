using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Renci.SshNet;
using Renci.SshNet.Security;

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// An ssh-agent answering from keys the application gave (<see cref="HopSettings.ForwardedAgentKeys"/>), for one
/// forwarded agent channel: the channel writes the server's requests in, reads the answers out. It knows the two
/// requests a remote ssh, git or ssh-add makes (draft-miller-ssh-agent): list the keys, and sign with one (rsa-sha2-256
/// and -512 by their flags); everything else, adding or removing keys included, gets SSH_AGENT_FAILURE.
/// </summary>
internal sealed class InMemoryAgent : AgentRequestStream
{
    private const byte Failure = 5;
    private const byte RequestIdentities = 11;
    private const byte IdentitiesAnswer = 12;
    private const byte SignRequest = 13;
    private const byte SignResponse = 14;
    private const uint RsaSha2256 = 2;
    private const uint RsaSha2512 = 4;

    private readonly List<(byte[] Blob, List<HostAlgorithm> Algorithms, string Comment)> _keys;

    public InMemoryAgent(IEnumerable<IPrivateKeySource> keys)
    {
        _keys = keys
            .SelectMany((key, index) => key.HostKeyAlgorithms
                .GroupBy(algorithm => Convert.ToBase64String(algorithm.Data), StringComparer.Ordinal)
                .Select(group => (Blob: group.First().Data, Algorithms: group.ToList(), Comment: $"key #{index + 1}")))
            .ToList();
    }

    protected override byte[] Answer(byte[] request)
    {
        try
        {
            return request[0] switch
            {
                RequestIdentities => Identities(),
                SignRequest => Sign(request),
                _ => [Failure],
            };
        }
        catch (Exception ex) when (ex is ArgumentException or IndexOutOfRangeException or InvalidOperationException or NotSupportedException or EndOfStreamException)
        {
            // A malformed request, or a key that cannot sign that way: the agent's answer is failure, as ssh-agent's.
            return [Failure];
        }
    }

    private byte[] Identities()
    {
        using var answer = new MemoryStream();
        answer.WriteByte(IdentitiesAnswer);
        SshWire.WriteUInt32(answer, (uint)_keys.Count);
        foreach (var (blob, _, comment) in _keys)
        {
            SshWire.WriteString(answer, blob);
            SshWire.WriteString(answer, System.Text.Encoding.UTF8.GetBytes(comment));
        }

        return answer.ToArray();
    }

    private byte[] Sign(byte[] request)
    {
        var offset = 1;
        var blob = SshWire.ReadString(request, ref offset);
        var data = SshWire.ReadString(request, ref offset);
        var flags = SshWire.ReadUInt32(request, ref offset);
        var key = _keys.FirstOrDefault(candidate => candidate.Blob.AsSpan().SequenceEqual(blob));
        if (key.Algorithms is null)
        {
            return [Failure];
        }

        var wanted = (flags & RsaSha2512) != 0 ? "rsa-sha2-512" : (flags & RsaSha2256) != 0 ? "rsa-sha2-256" : null;
        var algorithm = key.Algorithms.FirstOrDefault(candidate => wanted is null ? !candidate.Name.StartsWith("rsa-sha2-", StringComparison.Ordinal) : candidate.Name.StartsWith(wanted, StringComparison.Ordinal));
        if (algorithm is not KeyHostAlgorithm signer)
        {
            return [Failure];
        }

        using var answer = new MemoryStream();
        answer.WriteByte(SignResponse);
        SshWire.WriteString(answer, signer.Sign(data));
        return answer.ToArray();
    }
}
