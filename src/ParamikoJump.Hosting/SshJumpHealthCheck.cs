using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ParamikoJump.Pooling;

namespace ParamikoJump.Hosting;

/// <summary>
/// Whether destinations of the source are reachable (<see cref="SshJumpDataSource.CheckAsync"/>): Unhealthy at once,
/// naming the jump, while a lost jump is not logged in again; otherwise a lease is taken and given back.
/// </summary>
internal sealed class SshJumpHealthCheck(SshJumpDataSource source, IReadOnlyList<string>? destinations, System.TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var names = destinations ?? source.Destinations.ToList();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(timeout);
        var data = new Dictionary<string, object>();
        Renci.SshNet.Common.SshException? first = null;
        foreach (var name in names)
        {
            Renci.SshNet.Common.SshException? problem;
            try
            {
                problem = await source.CheckAsync(name, budget.Token).ConfigureAwait(false);
            }
            catch (System.OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                problem = new LeaseTimeoutException(name, timeout, source.HopOf(name));
            }

            data[name] = problem is null ? "reachable" : problem.Message;
            first ??= problem;
        }

        return first is null
            ? HealthCheckResult.Healthy($"{names.Count} destination(s) reachable", data)
            : new HealthCheckResult(context.Registration.FailureStatus, first.Message, first, data);
    }
}
