using System.Diagnostics;
using System.Globalization;
using System.Text;
using ParamikoJump.Lab;

namespace ParamikoJump.Benchmarks;

/// <summary>
/// OpenSSH's client as its users run it: one ssh process per command, ProxyJump chains from an <c>ssh -F</c>
/// config (options given with -o do not reach the jumps' own ssh processes), ControlMaster for reuse.
/// </summary>
internal sealed partial class OpenSshBench : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pjbench-ssh-").FullName;
    private readonly string _config;
    private readonly string _askpass;
    private readonly string _mfaCount;
    private readonly LabDescription _lab;

    public OpenSshBench(LabDescription lab)
    {
        _lab = lab;
        _config = Path.Combine(_dir, "config");
        _askpass = Path.Combine(_dir, "askpass");
        _mfaCount = Path.Combine(_dir, "mfa-count");
        var text = new StringBuilder();
        for (var i = 0; i < Circuit.Hops.Length; i++)
        {
            Host(text, Circuit.Hops[i], lab[Circuit.Hops[i]], i == 0 ? null : Circuit.Hops[i - 1]);
        }

        var bastion = lab["bastion"];
        text.Append(CultureInfo.InvariantCulture, $"""
            Host bastion-mfa
              HostName {bastion.Host}
              Port {bastion.Port}
              User {bastion.User}
              BatchMode no
              PreferredAuthentications keyboard-interactive
              KbdInteractiveAuthentication yes
              ControlMaster auto
              ControlPath {_dir}/mux-%C
              ControlPersist 300

            """);
        Host(text, "fan-target", lab["target-key"], "bastion-mfa");
        text.Append(CultureInfo.InvariantCulture, $"""
            Host *
              IdentityFile {lab.KeyFile("ed25519")}
              IdentitiesOnly yes
              UserKnownHostsFile {lab.KnownHosts}
              GlobalKnownHostsFile /dev/null
              StrictHostKeyChecking yes
              UpdateHostKeys no
              BatchMode yes
              PreferredAuthentications publickey
              LogLevel ERROR

            """);
        File.WriteAllText(_config, text.ToString());

        // ssh asks this for each keyboard-interactive prompt (SSH_ASKPASS_REQUIRE=force); each code it gives is one MFA login.
        // The code is RFC 6238 TOTP computed by python3 (which the lab installs for paramiko): oathtool is not installed.
        File.WriteAllText(_askpass, $"""
            #!/bin/sh
            case "$1" in
              *erification*) echo code >>'{_mfaCount}'; exec /usr/bin/python3 -c 'import base64, hashlib, hmac, os, struct, time; s = os.environ["PJB_TOTP_SECRET"]; d = hmac.new(base64.b32decode(s + "=" * (-len(s) % 8)), struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest(); o = d[-1] & 15; print("%06d" % ((struct.unpack(">I", d[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))' ;;
              *) printf '%s\n' "$PJB_PASSWORD" ;;
            esac

            """);
        File.SetUnixFileMode(_askpass, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public List<Transfer> Bulk(int hops, long bytes, int reps)
    {
        var results = new List<Transfer>();
        for (var i = 0; i < reps; i++)
        {
            using var process = Start("ssh", ["-F", _config, "-n", Circuit.Hops[hops], string.Create(CultureInfo.InvariantCulture, $"head -c {bytes} /dev/zero")], redirect: true);
            var stream = process.StandardOutput.BaseStream;
            var buffer = new byte[1 << 20];
            long first = stream.Read(buffer, 0, buffer.Length);

            // CPU is read from /proc while the transfer runs: the jumps' ssh processes end before the last bytes
            // are read and nobody reaps them into a parent's totals, so each process counts as last seen alive.
            // What the connection cost before the first byte is not the transfer's.
            var before = ProcessTree.CpuSeconds(process.Id);
            var servers = Profile.ServerCpuSeconds();
            var serversUsed = double.NaN;
            var seen = new Dictionary<int, double>(before);
            var sampled = Stopwatch.StartNew();
            var watch = Stopwatch.StartNew();
            var seconds = 0.0;
            long received = first;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                received += read;
                if (received == bytes)
                {
                    seconds = watch.Elapsed.TotalSeconds;
                    serversUsed = Profile.ServerCpuSince(servers);
                }

                if (sampled.ElapsedMilliseconds >= 20 || received == bytes)
                {
                    foreach (var (pid, cpu) in ProcessTree.CpuSeconds(process.Id))
                    {
                        seen[pid] = Math.Max(cpu, seen.GetValueOrDefault(pid));
                    }

                    sampled.Restart();
                }
            }

            process.WaitForExit();
            Check(process, received == bytes && process.ExitCode == 0, $"received {received} of {bytes} bytes, exit {process.ExitCode}");
            results.Add(new Transfer(received - first, seconds, seen.Values.Sum() - before.Values.Sum(), serversUsed));
        }

        return results;
    }

    /// <summary>
    /// OpenSSH's sftp through the same ProxyJump chain, one process per repetition: a batch that gets the remote file
    /// into /dev/null, then puts the local one, with local timestamps (<c>!date</c>) around each, so connecting is
    /// not in the figures.
    /// </summary>
    public List<SftpTransfer> Sftp(int hops, long bytes, int reps, string remote, string local)
    {
        var batch = Path.Combine(_dir, "sftp-batch");
        File.WriteAllText(batch, $"!date +%s.%N\nget {remote} /dev/null\n!date +%s.%N\nput {local} {remote}.up\n!date +%s.%N\nrm {remote}.up\n");
        var results = new List<SftpTransfer>();
        for (var i = 0; i < reps; i++)
        {
            using var process = Start("sftp", ["-F", _config, "-q", "-b", batch, Circuit.Hops[hops]], redirect: true);
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var stamps = output.Split('\n').Select(l => l.Trim())
                .Where(l => l.Length > 0 && char.IsAsciiDigit(l[0]) && l.Contains('.', StringComparison.Ordinal))
                .Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
            Check(process, process.ExitCode == 0 && stamps.Length == 3, $"exit {process.ExitCode}, output: {output}");
            results.Add(new SftpTransfer(bytes, stamps[1] - stamps[0], stamps[2] - stamps[1]));
        }

        return results;
    }

    public List<double> Connect(int hops, int reps)
    {
        Run("ssh", "-F", _config, "-n", Circuit.Hops[hops], "true");
        var times = new List<double>();
        for (var i = 0; i < reps; i++)
        {
            var watch = Stopwatch.StartNew();
            Run("ssh", "-F", _config, "-n", Circuit.Hops[hops], "true");
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        return times;
    }

    /// <summary>An established connection is a ControlMaster; each command is a new ssh process multiplexed on it.</summary>
    public List<double> Rtt(int hops, int reps)
    {
        var host = Circuit.Hops[hops];
        var control = Path.Combine(_dir, "rtt-mux");
        using var master = Start("ssh", ["-F", _config, "-n", "-N", "-M", "-S", control, "-o", "ControlPersist=no", host], redirect: false);
        try
        {
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(control))
            {
                if (master.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new InvalidOperationException("the ssh control master did not start");
                }

                Thread.Sleep(20);
            }

            for (var i = 0; i < 3; i++)
            {
                Run("ssh", "-F", _config, "-n", "-S", control, host, "true");
            }

            var times = new List<double>();
            for (var i = 0; i < reps; i++)
            {
                var watch = Stopwatch.StartNew();
                Run("ssh", "-F", _config, "-n", "-S", control, host, "true");
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            return times;
        }
        finally
        {
            master.Kill(entireProcessTree: true);
            master.WaitForExit();
        }
    }

    /// <summary>PSS of the whole ssh process tree with a chain of 1, 2, ... <paramref name="sessions"/> sessions.</summary>
    public List<long> Memory(int sessions)
    {
        var pss = new List<long>();
        for (var i = 0; i < sessions; i++)
        {
            using var process = Start("ssh", ["-F", _config, "-n", Circuit.Hops[i], "echo ready; exec sleep 120"], redirect: true);
            try
            {
                Check(process, process.StandardOutput.ReadLine() == "ready", "no 'ready' from the chain");
                Thread.Sleep(200);
                pss.Add(ProcessTree.PssBytes(process.Id));
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }

        return pss;
    }

    /// <summary>One MFA login that becomes a ControlMaster on the bastion, then every target through it at once.</summary>
    public FanoutResult Fanout(int targets)
    {
        File.WriteAllText(_mfaCount, "");
        var watch = Stopwatch.StartNew();
        try
        {
            Run("ssh", "-F", _config, "-n", "bastion-mfa", "true");
            var processes = Enumerable.Range(0, targets).Select(_ => Start("ssh", ["-F", _config, "-n", "fan-target", "true"], redirect: false)).ToList();
            var errors = new List<string>();
            foreach (var process in processes)
            {
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"exit {process.ExitCode}"));
                }

                process.Dispose();
            }

            var seconds = watch.Elapsed.TotalSeconds;
            var logins = File.ReadAllLines(_mfaCount).Length;
            return new FanoutResult(seconds, errors.Count, logins, errors.Take(3).ToArray());
        }
        finally
        {
            using var exit = Start("ssh", ["-F", _config, "-q", "-O", "exit", "bastion-mfa"], redirect: false);
            exit.WaitForExit();
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static void Host(StringBuilder text, string alias, LabServer server, string? jump)
    {
        text.Append(CultureInfo.InvariantCulture, $"Host {alias}\n  HostName {server.Host}\n  Port {server.Port}\n  User {server.User}\n");
        if (jump is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"  ProxyJump {jump}\n");
        }

        text.Append('\n');
    }

    private void Run(params string[] command)
    {
        using var process = Start(command[0], command[1..], redirect: false);
        process.WaitForExit();
        Check(process, process.ExitCode == 0, $"exit {process.ExitCode}");
    }

    private Process Start(string file, string[] arguments, bool redirect)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = redirect };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var bastion = _lab["bastion"].Credentials();
        info.Environment["SSH_ASKPASS"] = _askpass;
        info.Environment["SSH_ASKPASS_REQUIRE"] = "force";
        info.Environment["PJB_PASSWORD"] = bastion.Password;
        info.Environment["PJB_TOTP_SECRET"] = bastion.TotpSecret;
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
    }

    private static void Check(Process process, bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"{string.Join(' ', process.StartInfo.ArgumentList)}: {what}");
        }
    }
}
