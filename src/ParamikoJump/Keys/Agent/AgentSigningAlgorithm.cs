using System;
using System.Collections.Generic;
using System.IO;
using ParamikoJump.HostKeys;
using Renci.SshNet.Security;

namespace ParamikoJump.Keys.Agent;

/// <summary>
/// One public-key algorithm of an agent-held key: SSH.NET offers <see cref="Data"/> and calls <see cref="Sign"/>,
/// which the agent answers without the private key ever leaving it.
/// </summary>
internal sealed class AgentSigningAlgorithm : HostAlgorithm
{
    private readonly AgentIdentity _identity;
    private readonly AgentClient _agent;
    private readonly HopIdentity _hop;
    private readonly uint _flags;

    private AgentSigningAlgorithm(string name, uint flags, AgentIdentity identity, AgentClient agent, HopIdentity hop)
        : base(name)
    {
        _flags = flags;
        _identity = identity;
        _agent = agent;
        _hop = hop;
    }

    public override byte[] Data => _identity.Blob;

    /// <summary>
    /// The algorithm to offer for an agent key. RSA keys use rsa-sha2-512 (what OpenSSH picks for servers
    /// since 7.2; ssh-rsa/SHA-1 is refused by default since 8.8), which the agent must be asked for by flag.
    /// </summary>
    public static AgentSigningAlgorithm For(AgentIdentity identity, AgentClient agent, HopIdentity hop) => AllFor(identity, agent, hop)[0];

    /// <summary>
    /// Every algorithm an agent key can be offered with, best first: for RSA keys and certificates rsa-sha2-512,
    /// rsa-sha2-256, then SHA-1 <c>ssh-rsa</c> (asked for with no flag), which only PubkeyAcceptedAlgorithms lets through.
    /// </summary>
    public static IReadOnlyList<AgentSigningAlgorithm> AllFor(AgentIdentity identity, AgentClient agent, HopIdentity hop) => identity.KeyType switch
    {
        "ssh-rsa" =>
        [
            new("rsa-sha2-512", AgentClient.RsaSha2512, identity, agent, hop),
            new("rsa-sha2-256", AgentClient.RsaSha2256, identity, agent, hop),
            new("ssh-rsa", 0, identity, agent, hop),
        ],
        "ssh-rsa-cert-v01@openssh.com" =>
        [
            new("rsa-sha2-512-cert-v01@openssh.com", AgentClient.RsaSha2512, identity, agent, hop),
            new("rsa-sha2-256-cert-v01@openssh.com", AgentClient.RsaSha2256, identity, agent, hop),
            new("ssh-rsa-cert-v01@openssh.com", 0, identity, agent, hop),
        ],
        _ => [new(identity.KeyType, 0, identity, agent, hop)],
    };

    public override byte[] Sign(byte[] data)
    {
        byte[]? signature;
        try
        {
            signature = _agent.Sign(_identity.Blob, data, _flags);
        }
        catch (IOException ex)
        {
            throw new HopKeyException($"The ssh-agent at {_agent.SocketPath} could not sign with {_identity}: {ex.Message}.", _hop, HopStage.Authentication, _identity.ToString(), ex);
        }

        if (signature is null)
        {
            throw new HopKeyException(
                $"The ssh-agent at {_agent.SocketPath} refused to sign with {_identity} (the agent is locked, confirmation was declined, or the key was removed).",
                _hop,
                HopStage.Authentication,
                _identity.ToString());
        }

        var expected = _flags switch
        {
            AgentClient.RsaSha2512 => "rsa-sha2-512",
            AgentClient.RsaSha2256 => "rsa-sha2-256",
            _ => null,
        };
        var actual = SshKeyBlob.TypeOf(signature) ?? "unknown";
        if (expected is not null && actual != expected)
        {
            throw new HopKeyException(
                $"The ssh-agent at {_agent.SocketPath} signed with {actual} where {expected} was asked for {_identity}; the agent is too old for SHA-2 RSA signatures.",
                _hop,
                HopStage.Authentication,
                _identity.ToString());
        }

        return signature;
    }

    /// <summary>Never called: a client only signs; the server verifies.</summary>
    public override bool VerifySignature(byte[] data, byte[] signature) =>
        throw new NotSupportedException("Agent keys sign; verifying is the server's job.");
}
