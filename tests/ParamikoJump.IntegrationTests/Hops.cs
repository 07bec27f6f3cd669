using System.Collections.Concurrent;
using ParamikoJump.Authentication;
using ParamikoJump.HostKeys;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>Connected clients to the lab's servers, built the way a user would.</summary>
internal static class Hops
{
    private static readonly ConcurrentDictionary<string, KnownHosts> LabHostKeys = new();

    /// <summary>The lab's known_hosts, read-only, as a user's system file would be; one store per lab run.</summary>
    public static KnownHosts KnownHostsOf(LabDescription lab) => LabHostKeys.GetOrAdd(lab.KnownHosts, path =>
    {
        var store = new KnownHosts();
        store.LoadSystemHostKeys(path);
        return store;
    });

    public static async Task<SshJumpClient> ConnectAsync(SshJumpClient client)
    {
        try
        {
            await client.ConnectAsync(TestContext.Current.CancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The password-only bastion: the plain jump most tests go through.</summary>
    public static SshJumpClient PasswordBastion(LabDescription lab, string id = "bastion-password", SshClient? via = null)
    {
        var server = lab[id];
        return new SshJumpClient(knownHosts: KnownHostsOf(lab), hostname: server.Host, port: server.Port, username: server.User, password: server.Credentials().Password,
            lookForKeys: false, allowAgent: false, jumpSession: via);
    }

    /// <summary>The password + TOTP bastion, answered from a queue.</summary>
    public static SshJumpClient MfaBastion(LabDescription lab, string user = "pjmfa")
    {
        var server = lab["bastion"];
        var secrets = server.Credentials(user);
        return new SshJumpClient(knownHosts: KnownHostsOf(lab), hostname: server.Host, port: server.Port, username: user,
            authHandler: new MagicAuthHandler([secrets.Password!], [secrets.Totp()]), lookForKeys: false, allowAgent: false);
    }

    public static SshJumpClient PasswordTarget(LabDescription lab, SshClient jump, string? password = null)
    {
        var target = lab["target-password"];
        return new SshJumpClient(knownHosts: KnownHostsOf(lab), hostname: target.Host, port: target.Port, username: target.User, password: password ?? target.Credentials().Password,
            lookForKeys: false, allowAgent: false, jumpSession: jump);
    }

    /// <summary>Settings for a lab server's first user, by password, trusting the lab's host keys.</summary>
    public static HopSettings SettingsFor(LabDescription lab, LabServer server) => new(server.Host)
    {
        Port = server.Port,
        Username = server.User,
        Password = server.Credentials().Password,
        LookForKeys = false,
        AllowAgent = false,
        KnownHosts = KnownHostsOf(lab),
    };

    /// <summary>A password login to any target of the lab, through its jump.</summary>
    public static SshJumpClient Target(LabDescription lab, string id, SshClient jump, Action<HopSettings>? configure = null)
    {
        var settings = SettingsFor(lab, lab[id]);
        configure?.Invoke(settings);
        return new SshJumpClient(settings, jump);
    }

    /// <summary>The lab's five-hop circuit: hop1 .. hop<paramref name="count"/>, each connected through the one before it.</summary>
    public static async Task<Circuit> CircuitAsync(LabDescription lab, int count)
    {
        var circuit = new Circuit();
        try
        {
            for (var i = 1; i <= count; i++)
            {
                circuit.Add(await ConnectAsync(PasswordBastion(lab, $"hop{i}", circuit.Last)));
            }

            return circuit;
        }
        catch
        {
            circuit.Dispose();
            throw;
        }
    }

    /// <summary>An SFTP client to a password server of the lab, through <paramref name="jump"/>.</summary>
    public static SftpJumpClient Sftp(LabDescription lab, string id, SshClient? jump)
    {
        var server = lab[id];
        return new SftpJumpClient(knownHosts: KnownHostsOf(lab), hostname: server.Host, port: server.Port, username: server.User,
            password: server.Credentials().Password, lookForKeys: false, allowAgent: false, jumpSession: jump);
    }

    /// <summary>An SCP client to a password server of the lab, through <paramref name="jump"/>.</summary>
    public static ScpJumpClient Scp(LabDescription lab, string id, SshClient? jump)
    {
        var server = lab[id];
        return new ScpJumpClient(knownHosts: KnownHostsOf(lab), hostname: server.Host, port: server.Port, username: server.User,
            password: server.Credentials().Password, lookForKeys: false, allowAgent: false, jumpSession: jump);
    }

    public static string Run(SshClient client, string command) => client.RunCommand(command).Result.Trim();

    /// <summary>
    /// Until disposed, new hops ride the loopback TCP forward (the .NET Framework fallback) instead of the private
    /// socket pair. Safe here: the lab's tests run one at a time (one collection).
    /// </summary>
    public static IDisposable TcpFallback()
    {
        AppContext.SetSwitch("ParamikoJump.TcpTunnel", true);
        return new Restore(() => AppContext.SetSwitch("ParamikoJump.TcpTunnel", false));
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>
    /// Kills the OpenSSH session process behind <paramref name="client"/> from a command on it, as when that server
    /// reboots. The kill can take the session down before the command's start is confirmed: that is the point, so
    /// that failure is not the test's.
    /// </summary>
    public static void KillServerSession(SshJumpClient client)
    {
        try
        {
            using var killer = client.ExecCommand("kill -9 $PPID");
        }
        catch (SshException)
        {
        }
    }

    /// <summary>Connected clients of a chain, disposed last first.</summary>
    public sealed class Circuit : List<SshJumpClient>, IDisposable
    {
        public SshJumpClient? Last => Count == 0 ? null : this[^1];

        public void Dispose()
        {
            for (var i = Count - 1; i >= 0; i--)
            {
                this[i].Dispose();
            }

            Clear();
        }
    }
}
