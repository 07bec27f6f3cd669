using System.Text.Json;
using System.Text.Json.Serialization;

namespace ParamikoJump.Lab;

/// <summary>The lab as <c>tests/lab/lab.sh start</c> describes it in lab.json.</summary>
public sealed class LabDescription
{
    /// <summary>Where lab.json is looked for: $PJLAB_DIR/lab.json, else /run/paramikojump-lab/lab.json.</summary>
    public static string DefaultPath =>
        Path.Combine(Environment.GetEnvironmentVariable("PJLAB_DIR") is { Length: > 0 } dir ? dir : "/run/paramikojump-lab", "lab.json");

    public int Version { get; init; }

    public string StateDir { get; init; } = "";

    /// <summary>The lab.sh that started this lab, for the commands that change it while it runs.</summary>
    public string Script { get; init; } = "";

    public string KnownHosts { get; init; } = "";

    public string AddressRange { get; init; } = "";

    public Dictionary<string, string> Keys { get; init; } = [];

    public Dictionary<string, LabServer> Servers { get; init; } = [];

    /// <summary>
    /// Makes the link into <paramref name="server"/>'s host silent (every packet dropped both ways, no FIN or RST)
    /// until the returned handle is disposed; connections through it stay open and hear nothing.
    /// </summary>
    public IDisposable Silence(LabServer server)
    {
        SetLink(server.Namespace, "down");
        return new Restore(() => SetLink(server.Namespace, "up"));
    }

    private void SetLink(string ns, string state)
    {
        using var process = System.Diagnostics.Process.Start("bash", [Script, "link", ns, state])!;
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"lab.sh link {ns} {state} failed ({process.ExitCode}).");
        }
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                restore();
            }
        }
    }

    public LabServer this[string id] => Servers.TryGetValue(id, out var server)
        ? server
        : throw new KeyNotFoundException($"lab.json has no server '{id}' (it has: {string.Join(", ", Servers.Keys)}).");

    public string KeyFile(string type) => Keys.TryGetValue(type, out var path)
        ? path
        : throw new KeyNotFoundException($"lab.json has no '{type}' client key.");

    /// <summary>Reads lab.json, or says why it cannot.</summary>
    public static LabDescription Load(string? path = null)
    {
        path ??= DefaultPath;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No lab is running: {path} does not exist. Start it with 'sudo tests/lab/lab.sh start'.", path);
        }

        var lab = JsonSerializer.Deserialize<LabDescription>(File.ReadAllText(path), Json)
            ?? throw new InvalidDataException($"{path} is empty.");
        foreach (var (id, server) in lab.Servers)
        {
            server.Id = id;
        }

        return lab;
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };
}

/// <summary>One sshd of the lab.</summary>
public sealed class LabServer
{
    [JsonIgnore]
    public string Id { get; internal set; } = "";

    /// <summary>What a client passes as host name: an address for first hops, a name the jump resolves for inner ones.</summary>
    public string Host { get; init; } = "";

    public string Address { get; init; } = "";

    public int Port { get; init; } = 22;

    /// <summary>The server whose network reaches this one, or null when the root namespace reaches it.</summary>
    public string? Via { get; init; }

    /// <summary>The network namespace the server runs in (its host).</summary>
    public string Namespace { get; init; } = "";

    public string Auth { get; init; } = "";

    public bool Forwarding { get; init; } = true;

    /// <summary>"openssh" or "dropbear".</summary>
    public string Software { get; init; } = "openssh";

    /// <summary>The sshd's MaxStartups setting (OpenSSH servers only).</summary>
    public string? MaxStartups { get; init; }

    public Dictionary<string, LabUser> Users { get; init; } = [];

    /// <summary>The first (usually only) user of the server.</summary>
    public string User => Users.Keys.First();

    public LabUser Credentials(string? user = null) => Users[user ?? User];

    public override string ToString() => $"{Id} ({Host}:{Port})";
}

/// <summary>A user's secrets on one server.</summary>
public sealed class LabUser
{
    public string? Password { get; init; }

    public string? TotpSecret { get; init; }

    public string? DuoPasscode { get; init; }

    public int DuoPushDelaySeconds { get; init; }

    /// <summary>The old device's own <c>enable</c> password (switch01), asked for by its CLI after login.</summary>
    public string? EnablePassword { get; init; }

    /// <summary>The TOTP time step in seconds: 30, or the short step of a user made for fast step changes.</summary>
    public int TotpPeriod { get; init; } = 30;

    /// <summary>The current TOTP code for this user.</summary>
    public string Totp() => TotpSecret is { } secret
        ? ParamikoJump.Lab.Totp.Compute(secret, DateTimeOffset.UtcNow, period: TotpPeriod)
        : throw new InvalidOperationException("This lab user has no TOTP secret.");
}
