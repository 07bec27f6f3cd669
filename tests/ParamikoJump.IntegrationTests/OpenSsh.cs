using System.Diagnostics;
using System.Globalization;
using System.Text;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// OpenSSH's own client on the same lab, for side-by-side behaviour: an <c>ssh -F</c> config naming each server by
/// its lab id, with ProxyJump chains and the lab's client key (options given with -o do not reach the jumps' own
/// ssh processes, so everything is in the file).
/// </summary>
internal sealed class OpenSsh : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pj-openssh-").FullName;

    public OpenSsh(LabDescription lab, string extraOptions = "")
    {
        var text = new StringBuilder();
        foreach (var (id, server) in lab.Servers)
        {
            text.Append(CultureInfo.InvariantCulture, $"""
                Host {id}
                  HostName {server.Host}
                  Port {server.Port}
                  User {server.User}

                """);
            if (server.Via is { } via)
            {
                text.Append(CultureInfo.InvariantCulture, $"  ProxyJump {via}\n");
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"""
            Host *
              IdentityFile {lab.KeyFile("ed25519")}
              IdentitiesOnly yes
              UserKnownHostsFile {lab.KnownHosts}
              GlobalKnownHostsFile /dev/null
              StrictHostKeyChecking yes
              BatchMode yes
              PreferredAuthentications publickey
              LogLevel ERROR
            {extraOptions}
            """);
        ConfigFile = Path.Combine(_dir, "config");
        File.WriteAllText(ConfigFile, text.ToString());
    }

    public string ConfigFile { get; }

    /// <summary>Starts <c>ssh -F config HOST COMMAND</c>; each line of its output goes to <paramref name="onLine"/>, or is dropped.</summary>
    public Process Start(string host, string command, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo("ssh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-F", ConfigFile, "-n", host, command })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                onLine?.Invoke(line.Data);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
