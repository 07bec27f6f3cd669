using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace ParamikoJump.Tests.Keys;

/// <summary>Runs OpenSSH's tools (ssh-keygen, ssh-add) and keeps what they make in one temporary directory.</summary>
public sealed class KeyKit : IDisposable
{
    public KeyKit()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("paramikojump-keys-").FullName;
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>Makes a key with ssh-keygen; <paramref name="format"/> is RFC4716 (OpenSSH's own), PEM or PKCS8.</summary>
    public string Generate(string name, string type, string passphrase = "", string? format = null, string? comment = null)
    {
        var path = PathOf(name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        List<string> args = ["-q", "-t", type, "-N", passphrase, "-f", path, "-C", comment ?? name];
        if (type == "rsa")
        {
            args.AddRange(["-b", "2048"]);
        }

        if (format is not null)
        {
            args.AddRange(["-m", format]);
        }

        Tool.Run("ssh-keygen", args);
        return path;
    }

    /// <summary>Signs <paramref name="keyPath"/>.pub with the CA key, writing <paramref name="keyPath"/>-cert.pub.</summary>
    public static string Certify(string keyPath, string caPath, string principal)
    {
        Tool.Run("ssh-keygen", ["-q", "-s", caPath, "-I", "test-" + Path.GetFileName(keyPath), "-n", principal, "-V", "-5m:+1h", keyPath + ".pub"]);
        return keyPath + "-cert.pub";
    }

    public static string PublicKeyLine(string keyPath) => File.ReadAllText(keyPath + ".pub").Trim();

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A socket still being torn down; the temp directory is cleaned eventually.
        }
    }
}

public static class Tool
{
    public static string Run(string file, IEnumerable<string> args, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }

    /// <summary>A script that prints <paramref name="answer"/>, for SSH_ASKPASS.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static string AskPass(KeyKit kit, string answer)
    {
        var path = kit.PathOf("askpass-" + Guid.NewGuid().ToString("N") + ".sh");
        File.WriteAllText(path, $"#!/bin/sh\necho '{answer}'\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        return path;
    }
}

/// <summary>A private ssh-agent on a socket of its own, killed (by its own process id) on dispose.</summary>
public sealed class TestAgent : IDisposable
{
    private readonly Process _process;
    private readonly KeyKit _kit;

    public TestAgent(KeyKit kit)
    {
        _kit = kit;
        Socket = kit.PathOf("agent-" + Guid.NewGuid().ToString("N")[..8] + ".sock");
        var start = new ProcessStartInfo("ssh-agent") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-D", "-a", Socket })
        {
            start.ArgumentList.Add(arg);
        }

        // Confirmation prompts (ssh-add -c) are declined: the agent then refuses to sign.
        start.Environment["SSH_ASKPASS"] = "/bin/false";
        start.Environment["SSH_ASKPASS_REQUIRE"] = "force";
        start.Environment.Remove("DISPLAY");
        _process = Process.Start(start)!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        // The socket file appears at bind(), a moment before the agent listens: wait until it accepts.
        while (!Accepts(Socket))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException("ssh-agent did not start listening");
            }

            Thread.Sleep(10);
        }
    }

    public string Socket { get; }

    private static bool Accepts(string path)
    {
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>ssh-add: loads the key, and its -cert.pub when present; <paramref name="confirm"/> makes each use need a confirmation.</summary>
    public void Add(string keyPath, bool confirm = false) =>
        Tool.Run("ssh-add", confirm ? ["-q", "-c", keyPath] : ["-q", keyPath], Environment());

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Lock(string password) =>
        Tool.Run("ssh-add", ["-x"], Environment(Tool.AskPass(_kit, password)));

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private Dictionary<string, string?> Environment(string? askPass = null) => new()
    {
        ["SSH_AUTH_SOCK"] = Socket,
        ["SSH_ASKPASS"] = askPass ?? "/bin/false",
        ["SSH_ASKPASS_REQUIRE"] = "force",
    };
}
