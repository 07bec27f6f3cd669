using ParamikoJump.Execution;
using ParamikoJump.Tests.Hostile;

namespace ParamikoJump.Tests.Execution;

/// <summary>
/// Awaited commands against a server that holds its answers until every one of them is waiting (hostile_server.py's
/// exec-held and stdin-held, which print each arrival): while it holds them, nothing of ours may hold a thread.
/// </summary>
/// <remarks>
/// The measure, as in the integration suite's slot test: a wait that held a thread is either a pool thread blocked
/// (one added, as the pool has few idle ones) or a work item queued behind them, so the two together stay near zero
/// when nothing waits on a thread and reach about one per wait when something does. The bound is half the waits,
/// room for what the tests running beside these queue.
/// </remarks>
public sealed class AwaitedStartTests
{
    private const int Commands = 100;
    private static readonly TimeSpan ServerSees = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 90_000)]
    public async Task Commands_waiting_for_the_servers_answers_to_their_channel_open_and_exec_request_hold_no_thread()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var server = HostileServer.Start("exec-held", Commands.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = new SshJumpClient(server.Settings());
        client.ConnectionInfo.MaxSessions = Commands;
        await client.ConnectAsync(cancellation);
        var poolThreadsBefore = ThreadPool.ThreadCount;

        // Started from the pool, as the requests of a server application would start them.
        var starts = Enumerable.Range(0, Commands).Select(_ => Task.Run(() => client.ExecCommandAsync("anything", cancellationToken: cancellation), cancellation)).ToList();
        Assert.Equal($"HELD open {Commands}", await server.WaitForLineAsync($"HELD open {Commands}", ServerSees, cancellation));
        var whileOpening = QueuedOrAdded(poolThreadsBefore);
        var startedWhileOpening = starts.Count(start => start.IsCompleted);
        server.Tell("release");
        Assert.Equal($"HELD exec {Commands}", await server.WaitForLineAsync($"HELD exec {Commands}", ServerSees, cancellation));
        var whileExecuting = QueuedOrAdded(poolThreadsBefore);
        var startedWhileExecuting = starts.Count(start => start.IsCompleted);
        server.Tell("release");
        var processes = await Task.WhenAll(starts);
        var exits = await Task.WhenAll(processes.Select(process => process.WaitForExitAsync(cancellation)));
        foreach (var process in processes)
        {
            process.Dispose();
        }

        Assert.Equal(0, startedWhileOpening);
        Assert.Equal(0, startedWhileExecuting);
        Assert.True(whileOpening < Commands / 2, $"{whileOpening} pool work items queued or pool threads added while {Commands} channel opens waited for the server");
        Assert.True(whileExecuting < Commands / 2, $"{whileExecuting} pool work items queued or pool threads added while {Commands} exec requests waited for the server");
        Assert.All(exits, exit => Assert.Equal(0, exit));
    }

    [Fact(Timeout = 90_000)]
    public async Task Stdin_writes_waiting_for_the_servers_window_hold_no_thread_and_arrive_whole()
    {
        const int Size = 128 * 1024;
        var cancellation = TestContext.Current.CancellationToken;
        using var server = HostileServer.Start("stdin-held", Commands.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var client = new SshJumpClient(server.Settings());
        client.ConnectionInfo.MaxSessions = Commands;
        await client.ConnectAsync(cancellation);
        var processes = await Task.WhenAll(Enumerable.Range(0, Commands).Select(_ => client.ExecCommandAsync("cat", cancellationToken: cancellation)));
        var data = new byte[Size];
        var poolThreadsBefore = ThreadPool.ThreadCount;

        // Each server-side stdin takes 64 KiB and is not read: every write of twice that waits for the window.
        var writes = processes.Select(process => process.Stdin.WriteAsync(data, 0, data.Length, cancellation)).ToList();
        Assert.Equal($"FULL {Commands}", await server.WaitForLineAsync($"FULL {Commands}", ServerSees, cancellation));
        var whileWaiting = QueuedOrAdded(poolThreadsBefore);
        var writtenWhileFull = writes.Count(write => write.IsCompleted);
        server.Tell("release");
        await Task.WhenAll(writes);
        foreach (var process in processes)
        {
            await process.Stdin.FlushAsync(cancellation);
            process.Stdin.Dispose();
        }

        var received = await Task.WhenAll(processes.Select(process => process.Stdout.ReadToEndAsync(cancellation)));
        var exits = await Task.WhenAll(processes.Select(process => process.WaitForExitAsync(cancellation)));
        foreach (var process in processes)
        {
            process.Dispose();
        }

        Assert.Equal(0, writtenWhileFull);
        Assert.True(whileWaiting < Commands / 2, $"{whileWaiting} pool work items queued or pool threads added while {Commands} writes waited for the server's window");
        Assert.All(received, count => Assert.Equal($"{Size}\n", count));
        Assert.All(exits, exit => Assert.Equal(0, exit));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_start_cancelled_while_the_server_holds_its_channel_open_ends_at_once_and_its_slot_comes_back_once_answered()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var server = HostileServer.Start("exec-held", "2");
        using var client = new SshJumpClient(server.Settings());
        client.ConnectionInfo.MaxSessions = 2;
        await client.ConnectAsync(cancellation);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var cancelled = client.ExecCommandAsync("cancelled", cancellationToken: cancel.Token);
        var kept = client.ExecCommandAsync("kept", cancellationToken: cancellation);
        Assert.Equal("HELD open 2", await server.WaitForLineAsync("HELD open 2", ServerSees, cancellation));

        await cancel.CancelAsync();

        // Ends while the server still holds the answer to its open.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);

        // Both slots are taken until the cancelled start's open is answered and its channel closed (the server's
        // channel 0: its open came first): then this one starts.
        var next = client.ExecCommandAsync("next", cancellationToken: cancellation);
        server.Tell("release");
        Assert.Equal("CLOSED 0", await server.WaitForLineAsync("CLOSED 0", ServerSees, cancellation));
        Assert.Equal("HELD exec 2", await server.WaitForLineAsync("HELD exec 2", ServerSees, cancellation));
        server.Tell("release");
        using var keptProcess = await kept;
        using var nextProcess = await next;
        Assert.Equal(0, await keptProcess.WaitForExitAsync(cancellation));
        Assert.Equal(0, await nextProcess.WaitForExitAsync(cancellation));
    }

    private static long QueuedOrAdded(int poolThreadsBefore) => ThreadPool.PendingWorkItemCount + Math.Max(0, ThreadPool.ThreadCount - poolThreadsBefore);
}
