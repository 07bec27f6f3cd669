using System.Diagnostics;
using ParamikoJump.Authentication;
using ParamikoJump.Execution;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>Async from handler to stream: tokens that stop waits without losing data, and handlers that await.</summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class AsyncTests(LabFixture fixture)
{
    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task A_token_stops_a_ReadAsync_at_once_and_the_output_is_still_there_for_the_next_read()
    {
        using var jump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jump));
        using var process = await target.ExecCommandAsync("sleep 3; echo late", cancellationToken: TestContext.Current.CancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => process.Stdout.ReadAsync(new byte[16], 0, 16, stop.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"the read returned after {watch.Elapsed}");
        Assert.Equal("late\n", await process.Stdout.ReadToEndAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await process.WaitForExitAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_token_stops_a_ReadToEndAsync_and_what_it_had_read_is_still_there_for_the_next_read()
    {
        using var jump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jump));
        using var process = await target.ExecCommandAsync("echo early; sleep 4; echo late", cancellationToken: TestContext.Current.CancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => process.Stdout.ReadToEndAsync(stop.Token));

        Assert.Equal("early\nlate\n", await process.Stdout.ReadToEndAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_command_waiting_for_a_slot_waits_as_long_as_the_one_ahead_runs_past_the_channel_timeout()
    {
        // README (Async): the waits for the server are bounded by the channel timeout; the wait for a slot is a queue
        // behind running commands, bounded only by the caller's token, as SSH.NET's own wait is.
        using var jump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var target = Hops.Target(Lab, "target-password", jump, settings => settings.ChannelTimeout = TimeSpan.FromSeconds(2));
        target.ConnectionInfo.MaxSessions = 1;
        using var connected = await Hops.ConnectAsync(target);
        using var ahead = await target.ExecCommandAsync("sleep 4; echo ahead", cancellationToken: TestContext.Current.CancellationToken);
        var watch = Stopwatch.StartNew();

        var queued = target.ExecCommandAsync("echo queued", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("ahead\n", await ahead.Stdout.ReadToEndAsync(TestContext.Current.CancellationToken));
        Assert.Equal(0, await ahead.WaitForExitAsync(TestContext.Current.CancellationToken));
        ahead.Dispose();
        using var process = await queued;

        Assert.True(watch.Elapsed > TimeSpan.FromSeconds(2.5), $"the queued command started after {watch.Elapsed}, before the one ahead ended");
        Assert.Equal("queued\n", await process.Stdout.ReadToEndAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_async_handler_is_given_a_token_that_the_login_budget_cancels()
    {
        var bastion = Lab["bastion"];
        var handler = new WaitingHandler();
        using var client = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: "pjmfa",
            authHandler: handler, lookForKeys: false, allowAgent: false, authTimeout: TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<HopTimeoutException>(() => client.ConnectAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HopStage.Authentication, error.Stage);
        Assert.Equal(TimeSpan.FromSeconds(1), error.Budget);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
        Assert.True(await handler.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancelling_ConnectAsync_cancels_the_token_an_async_handler_awaits()
    {
        var bastion = Lab["bastion"];
        var handler = new WaitingHandler();
        using var client = new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Host, port: bastion.Port, username: "pjmfa",
            authHandler: handler, lookForKeys: false, allowAgent: false);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var connecting = client.ConnectAsync(cancel.Token);
        await handler.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        await cancel.CancelAsync();

        Assert.True(await handler.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        await Assert.ThrowsAnyAsync<Exception>(() => connecting);
        Assert.False(client.IsConnected);
    }

    [Fact(Timeout = 180_000)]
    public async Task Commands_waiting_for_a_channel_slot_hold_no_thread_and_all_complete()
    {
        const int Commands = 200;
        const int Slots = 50;
        using var jump = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var target = Hops.PasswordTarget(Lab, jump);
        target.ConnectionInfo.MaxSessions = Slots;
        using var connected = await Hops.ConnectAsync(target);
        var poolThreadsBefore = ThreadPool.ThreadCount;

        var starts = Enumerable.Range(0, Commands).Select(_ => target.ExecCommandAsync("sleep 5", cancellationToken: TestContext.Current.CancellationToken)).ToList();
        var started = new List<Task<RemoteProcess>>();
        while (started.Count < Slots)
        {
            started.Add(await Task.WhenAny(starts.Except(started)));
        }

        // The first 50 run 'sleep 5'; the other 150 wait for a slot. A start that waits on a thread (Task.Run over the
        // blocking open, as before) is either a queued work item or a blocked pool thread, so the two together would be
        // at least 150 minus the pool's threads before; waits that hold no thread leave both near zero. The bound of 50
        // leaves room for anything else this process queues; the state holds for the 5 s the first wave runs.
        var queuedOrAdded = ThreadPool.PendingWorkItemCount + Math.Max(0, ThreadPool.ThreadCount - poolThreadsBefore);
        var waiting = starts.Count(start => !start.IsCompleted);
        var processes = await Task.WhenAll(starts);
        var exits = await Task.WhenAll(processes.Select(process => process.WaitForExitAsync(TestContext.Current.CancellationToken)));
        foreach (var process in processes)
        {
            process.Dispose();
        }

        Assert.True(waiting > 100, $"only {waiting} starts were still waiting for a slot: the first wave ended before the count");
        Assert.True(queuedOrAdded < 50, $"{queuedOrAdded} pool work items queued or pool threads added while {waiting} starts waited");
        Assert.All(exits, exit => Assert.Equal(0, exit));
    }

    /// <summary>Never answers: waits on its token, as a handler waiting for a push approval would.</summary>
    private sealed class WaitingHandler : AsyncKeyboardInteractiveHandler
    {
        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask<IReadOnlyList<string>> RespondAsync(KeyboardInteractiveRound round, CancellationToken cancellationToken)
        {
            Asked.TrySetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult(true);
                throw;
            }

            return [];
        }
    }
}
