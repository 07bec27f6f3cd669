using System.Diagnostics;
using System.Globalization;

namespace ParamikoJump.Tests.Hops;

/// <summary>
/// A loopback TCP connection made and held open by another user (<c>nobody</c>, through runuser), as a stranger on
/// the same machine would make it. Needs root (to run as nobody) and /usr/bin/python3.
/// </summary>
internal sealed class OtherUserConnection : IDisposable
{
    private const string Script = """
        import socket, sys, time
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
        print(s.getsockname()[1], flush=True)
        s.settimeout(60)
        received = 0
        try:
            while True:
                data = s.recv(4096)
                if not data:
                    break
                received += len(data)
        except OSError:
            pass
        print(received, flush=True)
        """;

    private readonly Process _process;

    private OtherUserConnection(Process process, int localPort)
    {
        _process = process;
        LocalPort = localPort;
    }

    /// <summary>The port of nobody's end of the connection (its address is 127.0.0.1).</summary>
    public int LocalPort { get; }

    /// <summary>Connects as nobody to 127.0.0.1:<paramref name="port"/> and returns once the connection is established.</summary>
    public static async Task<OtherUserConnection> OpenAsync(int port)
    {
        var info = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-u", "nobody", "--", "/usr/bin/python3", "-c", Script, port.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        budget.CancelAfter(TimeSpan.FromSeconds(20));
        var line = await process.StandardOutput.ReadLineAsync(budget.Token);
        if (!int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var localPort))
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new InvalidOperationException($"nobody could not connect to 127.0.0.1:{port} (said '{line}')");
        }

        return new OtherUserConnection(process, localPort);
    }

    /// <summary>
    /// How many bytes nobody received before its end was closed, or null if it was not closed within
    /// <paramref name="budget"/>.
    /// </summary>
    public async Task<long?> BytesReceivedOnceClosedAsync(TimeSpan budget)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        wait.CancelAfter(budget);
        try
        {
            var line = await _process.StandardOutput.ReadLineAsync(wait.Token);
            return long.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var received) ? received : null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
