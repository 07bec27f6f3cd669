using System.Diagnostics;
using ParamikoJump.HostKeys;
using ParamikoJump.Tests.HostKeys;

namespace ParamikoJump.Tests.Hostile;

/// <summary>
/// A misbehaving SSH server of our own (hostile_server.py: paramiko where the misbehaviour is above the transport,
/// a raw socket where it is below it) on 127.0.0.1, one scenario per instance, killed on dispose.
/// </summary>
internal sealed class HostileServer : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly Process _process;
    private Task<string?>? _pendingLine;

    private HostileServer(Process process, int port, string hostKey, KnownHosts hostKeys)
    {
        _process = process;
        Port = port;
        HostKey = hostKey;
        HostKeys = hostKeys;
    }

    public int Port { get; }

    /// <summary>The server's host key as known_hosts writes it: "type base64".</summary>
    public string HostKey { get; }

    /// <summary>A store that trusts this server's host key under [127.0.0.1]:port.</summary>
    public KnownHosts HostKeys { get; }

    /// <summary>Starts <paramref name="scenario"/>; fails (under CI) or skips when paramiko is not installed.</summary>
    public static HostileServer Start(string scenario, string argument = "")
    {
        RequirePython();
        var info = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Hostile", "hostile_server.py"));
        info.ArgumentList.Add(scenario);
        info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();

        // "PORT <port> HOSTKEY <type> <base64>"
        var words = (process.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"hostile_server.py {scenario} did not start")).Split(' ');
        var port = int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
        var file = Path.Combine(TestDirectories.Create("pj-hostile-"), "known_hosts");
        var hostKey = $"{words[3]} {words[4]}";
        File.WriteAllText(file, $"[127.0.0.1]:{port} {hostKey}\n");
        var hostKeys = new KnownHosts();
        hostKeys.LoadSystemHostKeys(file);
        return new HostileServer(process, port, hostKey, hostKeys);
    }

    /// <summary>
    /// Reads the server's output until <paramref name="line"/> (exec-held prints "HELD open 3" as each start arrives);
    /// returns it, or the last line read once <paramref name="within"/> has passed.
    /// </summary>
    public async Task<string?> WaitForLineAsync(string line, TimeSpan within, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + within;
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            // A read from a pipe may not stop for a token: it is waited for with a deadline, and kept for the next call.
            _pendingLine ??= _process.StandardOutput.ReadLineAsync(CancellationToken.None).AsTask();
            try
            {
                var read = await _pendingLine.WaitAsync(TimeSpan.FromTicks(Math.Max(0, (deadline - DateTime.UtcNow).Ticks)), cancellationToken);
                _pendingLine = null;
                if (read is null || read == line)
                {
                    return read ?? last;
                }

                last = read;
            }
            catch (TimeoutException)
            {
                break;
            }
        }

        return last;
    }

    /// <summary>Writes a line to the server's stdin (exec-held: lets the answers it holds go).</summary>
    public void Tell(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Settings for a client of this server, trusting its host key.</summary>
    public HopSettings Settings() => new("127.0.0.1")
    {
        Port = Port,
        Username = "victim",
        Password = "unused",
        LookForKeys = false,
        AllowAgent = false,
        KnownHosts = HostKeys,
        KeepAliveInterval = TimeSpan.Zero,
    };

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private static void RequirePython()
    {
        using var probe = Process.Start(new ProcessStartInfo(Python, ["-c", "import paramiko"]) { RedirectStandardError = true, UseShellExecute = false });
        probe?.WaitForExit();
        if (probe is { ExitCode: 0 })
        {
            return;
        }

        Unavailable.SkipOrFail("python3-paramiko is not installed (tests/lab/lab.sh start installs it)");
    }
}
