using Microsoft.Extensions.Diagnostics.HealthChecks;
using ParamikoJump.Pooling;

namespace ParamikoJump.Worker;

/// <summary>
/// Three rounds of "deploys": every destination at once, several commands each, each on a leased session; then the
/// health report; then the host stops (and drains the source).
/// </summary>
internal sealed partial class Deployer(SshJumpDataSource source, HealthCheckService health, IHostApplicationLifetime lifetime, ILogger<Deployer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            for (var round = 1; round <= 3; round++)
            {
                var work = source.Destinations.SelectMany(destination => Enumerable.Range(0, 4).Select(_ => RunAsync(destination, stoppingToken)));
                var outputs = await Task.WhenAll(work);
                LogRound(logger, round, outputs.Length, string.Join(", ", outputs.Distinct().Order(StringComparer.Ordinal)));
            }

            var report = await health.CheckHealthAsync(stoppingToken);
            LogHealth(logger, report.Status, string.Join("; ", report.Entries.SelectMany(e => e.Value.Data.Select(d => $"{d.Key}: {d.Value}"))));
            if (report.Status != HealthStatus.Healthy)
            {
                Environment.ExitCode = 1;
            }
        }
        catch (Renci.SshNet.Common.SshException ex) when (ex is IHopFailure)
        {
            LogFailed(logger, ex);
            Environment.ExitCode = 1;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task<string> RunAsync(string destination, CancellationToken cancellationToken)
    {
        await using var lease = await source.GetAsync(destination, cancellationToken);
        using var process = await lease.Client.ExecCommandAsync("echo \"$(whoami)@$(hostname)\"", cancellationToken: cancellationToken);
        return $"{destination}={(await process.Stdout.ReadToEndAsync(cancellationToken)).Trim()}";
    }

    [LoggerMessage(1, LogLevel.Information, "Round {Round}: {Count} commands on leased sessions: {Outputs}")]
    private static partial void LogRound(ILogger logger, int round, int count, string outputs);

    [LoggerMessage(2, LogLevel.Information, "Health: {Status} ({Entries})")]
    private static partial void LogHealth(ILogger logger, HealthStatus status, string entries);

    [LoggerMessage(3, LogLevel.Error, "Deploy failed")]
    private static partial void LogFailed(ILogger logger, Exception error);
}
