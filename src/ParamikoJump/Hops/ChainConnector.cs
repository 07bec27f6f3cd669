using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Hops;

/// <summary>
/// Connects a chain in one call: each hop through the one before it, each owning the one before it
/// (<see cref="Hop.OwnJump"/>), so the connected target that is returned disposes the whole chain. If any hop fails
/// to be built or to connect, everything built so far is disposed before the error reaches the caller.
/// </summary>
internal static class ChainConnector
{
    public static SshJumpClient Connect(IReadOnlyList<HopSettings> hops) =>
        Build(hops, client =>
        {
            client.Connect();
            return Task.CompletedTask;
        }).GetAwaiter().GetResult();

    public static Task<SshJumpClient> ConnectAsync(IReadOnlyList<HopSettings> hops, CancellationToken cancellationToken) =>
        Build(hops, client => client.ConnectAsync(cancellationToken));

    private static async Task<SshJumpClient> Build(IReadOnlyList<HopSettings> hops, Func<SshJumpClient, Task> connect)
    {
        if (hops.Count == 0)
        {
            throw new ArgumentException("A chain needs at least its target.", nameof(hops));
        }

        SshJumpClient? last = null;
        try
        {
            foreach (var settings in hops)
            {
                var client = new SshJumpClient(settings, last);
                if (last is not null)
                {
                    client.Runtime.OwnJump();
                }

                last = client;
                await connect(client).ConfigureAwait(false);
            }

            return last!;
        }
        catch
        {
            last?.Dispose();
            throw;
        }
    }
}
