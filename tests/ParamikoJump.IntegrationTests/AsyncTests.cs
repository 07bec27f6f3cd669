using System.Diagnostics;
using ParamikoJump.Authentication;
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
