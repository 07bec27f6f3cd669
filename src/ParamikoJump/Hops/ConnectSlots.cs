using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ParamikoJump.Hops;

/// <summary>
/// How many connect attempts to one server run at once in this process (<see cref="HopSettings.MaxConcurrentConnects"/>).
/// A server counts a connection against its limit of unauthenticated ones (OpenSSH's <c>MaxStartups</c>, 10 before it
/// starts dropping; dropbear's 5 per address) from accept until login, and drops the excess before its banner; a burst
/// of clients to one host stays under that limit by queueing here instead. The server is the hop's host and port as
/// given, through the same chain of jumps (every connection through one jump comes from the jump's address).
/// </summary>
/// <remarks>
/// A slot is held for one attempt, from before the TCP connection or channel open until the login ended or failed,
/// never during a pause between attempts. Waiting for a slot is bounded by the budgets of one whole attempt (the
/// connect, banner and login budgets): the attempts ahead are bounded by theirs, so the queue moves.
/// </remarks>
internal static class ConnectSlots
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Servers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Waits for a slot to connect to the hop's server; dispose the result when the attempt ended.</summary>
    /// <exception cref="HopTimeoutException">No slot came free within <paramref name="budget"/>.</exception>
    public static IDisposable Enter(HopIdentity hop, int limit, TimeSpan budget)
    {
        var slots = SlotsOf(hop, limit);
        return slots.Wait(budget) ? new Slot(slots) : throw NoSlot(hop, limit, budget);
    }

    public static async Task<IDisposable> EnterAsync(HopIdentity hop, int limit, TimeSpan budget, CancellationToken cancellationToken)
    {
        var slots = SlotsOf(hop, limit);
        return await slots.WaitAsync(budget, cancellationToken).ConfigureAwait(false) ? new Slot(slots) : throw NoSlot(hop, limit, budget);
    }

    private static SemaphoreSlim SlotsOf(HopIdentity hop, int limit) => Servers.GetOrAdd(Key(hop, limit), _ => new SemaphoreSlim(limit, limit));

    private static HopTimeoutException NoSlot(HopIdentity hop, int limit, TimeSpan budget) => new(
        $"{limit} other connections to {hop.Endpoint} from this process were still logging in after {budget.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s (MaxConcurrentConnects is {limit}).",
        hop,
        HopStage.Setup,
        budget);

    /// <summary>The server as the chain reaches it: the hop's endpoint, then each jump's, and the limit in force.</summary>
    internal static string Key(HopIdentity hop, int limit)
    {
        var key = new StringBuilder(hop.Endpoint);
        for (var jump = hop.Jump; jump is not null; jump = jump.Jump)
        {
            key.Append(" via ").Append(jump.Endpoint);
        }

        return key.Append(" max ").Append(limit.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
