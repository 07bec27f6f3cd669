using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ParamikoJump.Pooling;

namespace ParamikoJump.Hosting;

/// <summary>
/// Drains the source when the host stops: no new leases, leases still out given <see cref="SshJumpHostingOptions.DrainTimeout"/>
/// (and the host's own shutdown budget) to come back, then every session and jump closed.
/// </summary>
internal sealed class SshJumpDataSourceLifetime(SshJumpDataSource source, IOptions<SshJumpHostingOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(options.Value.DrainTimeout);
        await source.DrainAsync(drain.Token).ConfigureAwait(false);
    }
}
