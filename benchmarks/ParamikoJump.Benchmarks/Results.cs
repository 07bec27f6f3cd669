namespace ParamikoJump.Benchmarks;

/// <summary>The tools compared; one name per column of the report.</summary>
internal static class Tools
{
    public const string ParamikoJump = "ParamikoJump";
    public const string OpenSsh = "ssh -J";
    public const string Paramiko = "paramiko";
    public const string SshNetDirect = "SSH.NET, no hop";

    /// <summary>ParamikoJump with SSH.NET's own cipher order (aes128-ctr + HMAC first): what its cipher preference buys.</summary>
    public const string ParamikoJumpCtr = "ParamikoJump, SSH.NET cipher order";

    /// <summary>ParamikoJump with its data-path tuning turned off (benchmarks/README.md): the in-run A/B of that tuning.</summary>
    public const string ParamikoJumpUntuned = "ParamikoJump, tuning off";

    /// <summary>The AppContext switches that turn the tuning off (see Hops/Tuning.cs).</summary>
    public const string UntunedSwitches = "ParamikoJump.UnboundedChannelWindow=1,ParamikoJump.PooledSocketEvents=1,ParamikoJump.ThreadPerTunnel=1";

    public static readonly string[] All = [ParamikoJump, OpenSsh, Paramiko, SshNetDirect, ParamikoJumpCtr, ParamikoJumpUntuned];
}

/// <summary>The measured quantities and their units.</summary>
internal static class Metrics
{
    public const string Throughput = "throughput MB/s";
    public const string CpuPerGiB = "client CPU s/GiB";
    public const string ServerCpuPerGiB = "lab servers' CPU s/GiB";
    public const string Connect = "warm connect ms";
    public const string Rtt = "command round trip ms";
    public const string FanoutSeconds = "fan-out wall s";
    public const string FanoutFailures = "fan-out failures";
    public const string FanoutMfa = "fan-out MFA logins";
    public const string MemoryOneSession = "memory, one session MiB";
    public const string MemoryPerHop = "memory per added hop MiB";
    public const string MemoryRuntime = "memory, runtime alone MiB";
    public const string MemoryOneSessionRss = "memory, one session RSS MiB";
    public const string MemoryManaged = "managed heap, one session MiB";
    public const string HoldRate = "held open: connects/s";
    public const string HoldFailures = "held open: failures";
    public const string HoldThreads = "held open: threads or processes";
    public const string HoldMemory = "held open: MiB per target";
    public const string SftpDownload = "SFTP download MB/s";
    public const string SftpUpload = "SFTP upload MB/s";

    /// <summary>Counts are shown run by run: a median would hide the one run that failed.</summary>
    public static bool IsCount(string metric) => metric is FanoutFailures or FanoutMfa or HoldFailures;
}

internal readonly record struct Summary(double Median, double Min, double Max, int Count)
{
    public static Summary Of(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Summary(median, sorted[0], sorted[^1], sorted.Length);
    }
}

/// <summary>Every sample of one run, by metric, tool and hop count (the number of jump hosts crossed).</summary>
internal sealed class Results
{
    private readonly Dictionary<(string Metric, string Tool, int Hops), List<double>> _samples = [];
    private readonly List<string> _notes = [];

    public IReadOnlyList<string> Notes => _notes;

    public void Add(string metric, string tool, int hops, double value)
    {
        if (!_samples.TryGetValue((metric, tool, hops), out var list))
        {
            _samples[(metric, tool, hops)] = list = [];
        }

        list.Add(value);
    }

    public void Note(string note) => _notes.Add(note);

    public IReadOnlyList<double> Values(string metric, string tool, int hops) =>
        _samples.TryGetValue((metric, tool, hops), out var list) ? list : [];

    public Summary? Get(string metric, string tool, int hops) =>
        _samples.TryGetValue((metric, tool, hops), out var list) && list.Count > 0 ? Summary.Of(list) : null;

    public IEnumerable<int> HopsOf(string metric) =>
        _samples.Keys.Where(k => k.Metric == metric).Select(k => k.Hops).Distinct().Order();
}
