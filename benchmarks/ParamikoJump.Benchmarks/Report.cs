using System.Globalization;
using System.Text;
using ScottPlot;

namespace ParamikoJump.Benchmarks;

/// <summary>The run's table, ratios against ssh -J and paramiko, the goals, and the plot.</summary>
internal static class Report
{
    private static readonly (string Metric, int[] Hops)[] Rows =
    [
        (Metrics.Throughput, [0, 1, 3]),
        (Metrics.CpuPerGiB, [0, 1, 3]),
        (Metrics.ServerCpuPerGiB, [0, 1, 3]),
        (Metrics.SftpDownload, [1, 3]),
        (Metrics.SftpUpload, [1, 3]),
        (Metrics.Connect, [0, 1, 3]),
        (Metrics.Rtt, [0, 1]),
        (Metrics.MemoryRuntime, [0]),
        (Metrics.MemoryOneSession, [0]),
        (Metrics.MemoryOneSessionRss, [0]),
        (Metrics.MemoryManaged, [0]),
        (Metrics.MemoryPerHop, [0]),
        (Metrics.FanoutSeconds, [0]),
        (Metrics.FanoutFailures, [0]),
        (Metrics.FanoutMfa, [0]),
        (Metrics.HoldRate, [0]),
        (Metrics.HoldFailures, [0]),
        (Metrics.HoldThreads, [0]),
        (Metrics.HoldMemory, [0]),
    ];

    public static string Markdown(Results results)
    {
        var text = new StringBuilder();
        text.AppendLine("| measure | hops | " + string.Join(" | ", Tools.All) + " | ParamikoJump ÷ ssh -J | ParamikoJump ÷ paramiko |");
        text.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("---|", Tools.All.Length + 2)));
        foreach (var (metric, hopsList) in Rows)
        {
            foreach (var hops in hopsList)
            {
                var cells = Tools.All.Select(tool => results.Get(metric, tool, hops)).ToArray();
                if (cells.All(c => c is null))
                {
                    continue;
                }

                // At 0 hops ParamikoJump is SSH.NET itself, so its ratios use the SSH.NET column.
                var ours = cells[0] ?? (hops == 0 ? cells[3] : null);
                text.Append(CultureInfo.InvariantCulture, $"| {metric} | {(IsPerRun(metric) ? "" : hops.ToString(CultureInfo.InvariantCulture))} | ");
                text.Append(string.Join(" | ", Metrics.IsCount(metric)
                    ? Tools.All.Select(tool => results.Values(metric, tool, hops) is { Count: > 0 } runs ? string.Join(", ", runs) : "–")
                    : cells.Select(Cell)));
                var ratios = Metrics.IsCount(metric) ? " | – | –" : $" | {Ratio(ours, cells[1])} | {Ratio(ours, cells[2])}";
                text.Append(ratios).AppendLine(" |");
            }
        }

        text.AppendLine();
        text.AppendLine("Cells: median (min–max) of the repetitions; fan-out counts run by run. Hops = jump hosts crossed before the target (0 = direct).");
        text.AppendLine("Ratios: ParamikoJump's median over the other tool's; above 1 is better for throughput, below 1 for everything else.");
        text.AppendLine("SFTP rows: ParamikoJump is SftpJumpClient, ssh -J is OpenSSH's sftp with the same ProxyJump config, paramiko is open_sftp() (getfo, put).");
        text.AppendLine();
        text.AppendLine("Goals:");
        foreach (var goal in Goals(results))
        {
            text.AppendLine("- " + goal);
        }

        foreach (var note in results.Notes)
        {
            text.AppendLine("- note: " + note);
        }

        return text.ToString();
    }

    public static void Plot(Results results, string path)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Panel(multiplot.GetPlot(0), results, Metrics.Throughput, "Throughput (MB/s, higher is better)", Alignment.UpperRight);
        Panel(multiplot.GetPlot(1), results, Metrics.Connect, "Warm connect + `true` (ms, lower is better)", Alignment.UpperLeft);
        multiplot.SavePng(path, 1400, 560);
    }

    private static void Panel(Plot plot, Results results, string metric, string title, Alignment legend)
    {
        foreach (var tool in new[] { Tools.ParamikoJump, Tools.OpenSsh, Tools.Paramiko })
        {
            // ParamikoJump without a hop is SSH.NET without a hop: its line starts from that ceiling.
            var points = results.HopsOf(metric)
                .Select(h => (Hops: h, Value: results.Get(metric, tool, h) ?? (tool == Tools.ParamikoJump ? results.Get(metric, Tools.SshNetDirect, h) : null)))
                .Where(p => p.Value is not null)
                .ToArray();
            if (points.Length == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(points.Select(p => (double)p.Hops).ToArray(), points.Select(p => p.Value!.Value.Median).ToArray());
            line.LegendText = tool == Tools.ParamikoJump ? "ParamikoJump (0 hops: SSH.NET)" : tool;
            line.LineWidth = 2;
            line.MarkerSize = 8;
            // The bars span the spread (min to max) of the repetitions.
            var bars = plot.Add.ErrorBar(line.Data.GetScatterPoints().Select(p => p.X).ToArray(), points.Select(p => p.Value!.Value.Median).ToArray(), points.Select(_ => 0.0).ToArray());
            bars.YErrorNegative = points.Select(p => p.Value!.Value.Median - p.Value!.Value.Min).ToArray();
            bars.YErrorPositive = points.Select(p => p.Value!.Value.Max - p.Value!.Value.Median).ToArray();
            bars.Color = line.Color;
        }

        plot.Title(title);
        plot.XLabel("jump hosts crossed (0 = direct)");
        plot.Axes.Bottom.SetTicks([0, 1, 3], ["0", "1", "3"]);
        plot.Axes.Margins(0.1, 0.1);
        plot.Axes.SetLimitsY(0, plot.Axes.GetLimits().Top);
        plot.ShowLegend(legend);
    }

    private static IEnumerable<string> Goals(Results results)
    {
        foreach (var hops in new[] { 1, 3 })
        {
            yield return Goal($"throughput at {hops} hop(s) ≥ ssh -J", results, Metrics.Throughput, hops, Tools.OpenSsh, (ours, theirs) => ours >= theirs);
            yield return Goal($"throughput at {hops} hop(s) ≥ 2 × paramiko", results, Metrics.Throughput, hops, Tools.Paramiko, (ours, theirs) => ours >= 2 * theirs);
            yield return Goal($"client CPU per GiB at {hops} hop(s) ≤ ssh -J", results, Metrics.CpuPerGiB, hops, Tools.OpenSsh, (ours, theirs) => ours <= theirs);
            yield return results.Get(Metrics.Throughput, Tools.ParamikoJump, hops) is { } t
                ? string.Create(CultureInfo.InvariantCulture, $"no bimodal runs at {hops} hop(s), slowest ≥ 0.8 × median: {(t.Min >= 0.8 * t.Median ? "MET" : "NOT MET")} ({t.Min:0.#} vs {t.Median:0.#} MB/s)")
                : $"no bimodal runs at {hops} hop(s): not measured";
        }

        foreach (var hops in new[] { 1, 3 })
        {
            yield return Goal($"SFTP download at {hops} hop(s) ≥ sftp -J", results, Metrics.SftpDownload, hops, Tools.OpenSsh, (ours, theirs) => ours >= theirs);
            yield return Goal($"SFTP upload at {hops} hop(s) ≥ sftp -J", results, Metrics.SftpUpload, hops, Tools.OpenSsh, (ours, theirs) => ours >= theirs);
        }

        yield return Goal("warm 3-hop connect ≤ ssh -J", results, Metrics.Connect, 3, Tools.OpenSsh, (ours, theirs) => ours <= theirs);
        yield return results.Get(Metrics.MemoryPerHop, Tools.ParamikoJump, 0) is { } hop
            ? string.Create(CultureInfo.InvariantCulture, $"memory per added hop ≤ 2 MiB: {(hop.Median <= 2 ? "MET" : "NOT MET")} ({hop.Median:0.##} MiB)")
            : "memory per added hop: not measured";
        yield return results.Get(Metrics.HoldFailures, Tools.ParamikoJump, 0) is { } held
            ? string.Create(CultureInfo.InvariantCulture, $"targets held open at once through one MFA login, zero failures: {(held.Max == 0 ? "MET" : "NOT MET")} ({held.Max:0} failed or closed)")
            : "targets held open: not measured";
        var failures = results.Get(Metrics.FanoutFailures, Tools.ParamikoJump, 0);
        var mfa = results.Get(Metrics.FanoutMfa, Tools.ParamikoJump, 0);
        yield return failures is { } f && mfa is { } m
            ? $"fan-out to 100 targets, zero failures and one MFA login: {(f.Max == 0 && m.Max == 1 ? "MET" : "NOT MET")} (worst run: {f.Max:0} failures, {m.Max:0} MFA logins)"
            : "fan-out: not measured";
    }

    private static string Goal(string name, Results results, string metric, int hops, string other, Func<double, double, bool> met) =>
        results.Get(metric, Tools.ParamikoJump, hops) is { } ours && results.Get(metric, other, hops) is { } theirs
            ? string.Create(CultureInfo.InvariantCulture, $"{name}: {(met(ours.Median, theirs.Median) ? "MET" : "NOT MET")} ({ours.Median:0.##} vs {theirs.Median:0.##})")
            : $"{name}: not measured";

    private static bool IsPerRun(string metric) => metric is Metrics.MemoryOneSession or Metrics.MemoryPerHop or Metrics.FanoutSeconds or Metrics.FanoutFailures or Metrics.FanoutMfa
        or Metrics.MemoryRuntime or Metrics.MemoryOneSessionRss or Metrics.MemoryManaged or Metrics.HoldRate or Metrics.HoldFailures or Metrics.HoldThreads or Metrics.HoldMemory;

    private static string Cell(Summary? summary) => summary is not { } s
        ? "–"
        : s.Count == 1 || s.Min == s.Max
            ? Format(s.Median)
            : $"{Format(s.Median)} ({Format(s.Min)}–{Format(s.Max)})";

    private static string Ratio(Summary? ours, Summary? theirs) =>
        ours is { } o && theirs is { Median: > 0 } t ? (o.Median / t.Median).ToString("0.00", CultureInfo.InvariantCulture) : "–";

    private static string Format(double value) => value.ToString(Math.Abs(value) >= 100 ? "0" : Math.Abs(value) >= 10 ? "0.0" : "0.00", CultureInfo.InvariantCulture);
}
