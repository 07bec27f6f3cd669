using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace ParamikoJump.Benchmarks;

/// <summary>paramiko-jump's mechanism, driven by benchmarks/paramiko/driver.py under Debian's python3-paramiko.</summary>
internal sealed class ParamikoBench(string driver, string labJson)
{
    public List<Transfer> Bulk(int hops, long bytes, int reps) =>
        Run("bulk", hops, $"--bytes={bytes}", $"--reps={reps}").EnumerateArray()
            .Select(t => new Transfer(t.GetProperty("bytes").GetInt64(), t.GetProperty("seconds").GetDouble(), t.GetProperty("cpu").GetDouble()))
            .ToList();

    public List<SftpTransfer> Sftp(int hops, long bytes, int reps, string remote, string local) =>
        Run("sftp", hops, $"--bytes={bytes}", $"--reps={reps}", $"--remote={remote}", $"--local={local}").EnumerateArray()
            .Select(t => new SftpTransfer(t.GetProperty("bytes").GetInt64(), t.GetProperty("down").GetDouble(), t.GetProperty("up").GetDouble()))
            .ToList();

    public List<double> Connect(int hops, int reps) => Seconds(Run("connect", hops, $"--reps={reps}"));

    public List<double> Rtt(int hops, int reps) => Seconds(Run("rtt", hops, $"--reps={reps}"));

    public List<long> Memory(int sessions) => Run("memory", sessions - 1).EnumerateArray().Select(e => e.GetInt64()).ToList();

    public FanoutResult Fanout(int targets)
    {
        var result = Run("fanout", 1, $"--n={targets}");
        return new FanoutResult(result.GetProperty("seconds").GetDouble(), result.GetProperty("failures").GetInt32(),
            result.GetProperty("mfaLogins").GetInt32(), result.GetProperty("errors").EnumerateArray().Select(e => e.GetString() ?? "").ToArray());
    }

    private static List<double> Seconds(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble() * 1000).ToList();

    private JsonElement Run(string command, int hops, params string[] extra)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in new[] { driver, command, $"--lab={labJson}", string.Create(CultureInfo.InvariantCulture, $"--hops={hops}") }.Concat(extra))
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start python3");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"paramiko driver '{command}' failed with exit {process.ExitCode}");
        }

        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
