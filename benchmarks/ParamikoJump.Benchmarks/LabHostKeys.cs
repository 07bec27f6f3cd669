using ParamikoJump.HostKeys;

namespace ParamikoJump.Benchmarks;

/// <summary>
/// The lab's known_hosts, so every .NET client verifies host keys as ssh and paramiko do: ParamikoJump clients
/// through the library's own store, the plain SSH.NET ceiling client through a HostKeyReceived check.
/// </summary>
internal sealed class LabHostKeys
{
    private readonly Dictionary<string, byte[]> _plainKeys = new(StringComparer.OrdinalIgnoreCase);

    public LabHostKeys(string path)
    {
        Store.LoadSystemHostKeys(path);
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 3)
            {
                foreach (var name in parts[0].Split(','))
                {
                    _plainKeys[name] = Convert.FromBase64String(parts[2]);
                }
            }
        }
    }

    /// <summary>Given to each chain's first ParamikoJump client; the hops after it share their jump's store.</summary>
    public KnownHosts Store { get; } = new();

    public void VerifyPlain(SshClient client, string name) =>
        client.HostKeyReceived += (_, e) => e.CanTrust = _plainKeys.TryGetValue(name, out var key) && key.AsSpan().SequenceEqual(e.HostKey);
}
