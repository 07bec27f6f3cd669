using ParamikoJump.HostKeys;

namespace ParamikoJump.Keys.Agent;

/// <summary>A public key (or certificate) the agent holds, as its IDENTITIES_ANSWER lists it.</summary>
internal sealed class AgentIdentity
{
    public AgentIdentity(byte[] blob, string comment)
    {
        Blob = blob;
        Comment = comment;
        KeyType = SshKeyBlob.TypeOf(blob) ?? "unknown";
    }

    /// <summary>The public key or certificate blob, as sent to the server.</summary>
    public byte[] Blob { get; }

    /// <summary>The comment the key was added with (usually its file name or user@host).</summary>
    public string Comment { get; }

    /// <summary>The blob's type, e.g. <c>ssh-ed25519</c> or <c>ssh-rsa-cert-v01@openssh.com</c>.</summary>
    public string KeyType { get; }

    /// <summary><c>ssh-agent key 'comment' (type SHA256:...)</c>: names the key without any secret.</summary>
    public override string ToString() => $"ssh-agent key '{Comment}' ({KeyType} {SshKeyBlob.Fingerprint(Blob)})";
}
