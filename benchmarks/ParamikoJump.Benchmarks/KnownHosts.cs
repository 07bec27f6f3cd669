namespace ParamikoJump.Benchmarks;

/// <summary>The lab's known_hosts, so the .NET clients verify host keys as ssh and paramiko do.</summary>
internal sealed class KnownHosts
{
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.OrdinalIgnoreCase);

    public KnownHosts(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 3)
            {
                foreach (var name in parts[0].Split(','))
                {
                    _keys[name] = Convert.FromBase64String(parts[2]);
                }
            }
        }
    }

    public void Verify(SshClient client, string name) =>
        client.HostKeyReceived += (_, e) => e.CanTrust = _keys.TryGetValue(name, out var key) && key.AsSpan().SequenceEqual(e.HostKey);
}
