using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests.Parity;

/// <summary>How a parity test reaches its server: SSH.NET's plain clients straight to it, or the jump clients through a jump.</summary>
public enum Route
{
    /// <summary>SSH.NET's <see cref="SshClient"/>, <see cref="SftpClient"/>, <see cref="ScpClient"/> to parity-direct.</summary>
    Plain,

    /// <summary><see cref="SshJumpClient"/>, <see cref="SftpJumpClient"/>, <see cref="ScpJumpClient"/> through bastion-password to parity-target.</summary>
    Jump,
}

/// <summary>
/// One side of the parity suite. The two servers are configured alike (tests/lab/lab.sh parity_server); a test body
/// builds its clients here exactly as an SSH.NET user builds them, from a <see cref="ConnectionInfo"/>, and only the
/// construction differs between the routes.
/// </summary>
public sealed class ParitySide
{
    private readonly SshClient? _jump;

    internal ParitySide(LabDescription lab, Route route, SshClient? jump, bool withSftp = true)
    {
        Lab = lab;
        Route = route;
        _jump = jump;
        Server = lab[(route, withSftp) switch
        {
            (Route.Plain, true) => "parity-direct",
            (Route.Plain, false) => "parity-direct-nosftp",
            (Route.Jump, true) => "parity-target",
            _ => "parity-target-nosftp",
        }];
    }

    public LabDescription Lab { get; }

    public Route Route { get; }

    public LabServer Server { get; }

    /// <summary>The jump the jump route goes through (to prove it survives what its targets do).</summary>
    public SshClient? Jump => _jump;

    public string Password(string user) => Server.Credentials(user).Password!;

    /// <summary>A key in the server's authorized_keys.</summary>
    public PrivateKeyFile GoodKey(string type = "ed25519") => new(Lab.KeyFile(type));

    /// <summary>A key the server does not know (the lab's user CA, which signs but is never authorized itself).</summary>
    public PrivateKeyFile UnknownKey() => new(Lab.KeyFile("userCa"));

    public ConnectionInfo Info(string user, params AuthenticationMethod[] methods) =>
        new(Server.Host, Server.Port, user, methods) { Timeout = TimeSpan.FromSeconds(20) };

    /// <summary>Keyboard-interactive answering every prompt with <paramref name="answer"/>, as SSH.NET users wire it.</summary>
    public static KeyboardInteractiveAuthenticationMethod Interactive(string user, string? answer)
    {
        var method = new KeyboardInteractiveAuthenticationMethod(user);
        if (answer is not null)
        {
            method.AuthenticationPrompt += (_, e) =>
            {
                foreach (var prompt in e.Prompts)
                {
                    prompt.Response = answer;
                }
            };
        }

        return method;
    }

    public SshClient Ssh(ConnectionInfo info) => Route == Route.Plain
        ? new SshClient(info)
        : new SshJumpClient(info, _jump, knownHosts: Hops.KnownHostsOf(Lab));

    public SftpClient Sftp(ConnectionInfo info) => Route == Route.Plain
        ? new SftpClient(info)
        : new SftpJumpClient(info, _jump, knownHosts: Hops.KnownHostsOf(Lab));

    public ScpClient Scp(ConnectionInfo info) => Route == Route.Plain
        ? new ScpClient(info, RemotePathTransformation.ShellQuote)
        : new ScpJumpClient(info, _jump, knownHosts: Hops.KnownHostsOf(Lab));

    /// <summary>
    /// Connects as a user who declared the client with <c>var</c> does: the jump clients' own <c>Connect()</c>, which
    /// names the hop in its errors (held as <see cref="BaseClient"/>, SSH.NET's own <c>Connect()</c> runs and raises
    /// SSH.NET's own exceptions).
    /// </summary>
    public static void Connect(BaseClient client)
    {
        switch (client)
        {
            case SshJumpClient ssh:
                ssh.Connect();
                break;
            case SftpJumpClient sftp:
                sftp.Connect();
                break;
            case ScpJumpClient scp:
                scp.Connect();
                break;
            default:
                client.Connect();
                break;
        }
    }

    /// <summary>A password login of the user that may use any method.</summary>
    public ConnectionInfo AnyUser() => Info("pjpar-any", new PasswordAuthenticationMethod("pjpar-any", Password("pjpar-any")));

    public override string ToString() => $"{Route} ({Server})";
}

/// <summary>The jump the jump route shares (one per test class, as an application shares its bastion).</summary>
public sealed class ParityJump : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SshJumpClient? _jump;

    public async Task<ParitySide> SideAsync(LabDescription lab, Route route, bool withSftp = true)
    {
        if (route == Route.Plain)
        {
            return new ParitySide(lab, route, null, withSftp);
        }

        await _gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (_jump is not { IsConnected: true })
            {
                _jump?.Dispose();
                _jump = await Hops.ConnectAsync(Hops.PasswordBastion(lab));
            }

            return new ParitySide(lab, route, _jump, withSftp);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _jump?.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }
}
