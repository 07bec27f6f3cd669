using Microsoft.Extensions.Time.Testing;
using ParamikoJump.Execution;

namespace ParamikoJump.Tests.Execution;

public class CommandOutputTests
{
    [Fact(Timeout = 10_000)]
    public async Task A_cancelled_ReadAsync_loses_nothing_and_the_next_read_gets_the_data()
    {
        var output = new CommandOutput(Budget(1024), Ignore);
        using var stop = new CancellationTokenSource();
        var waiting = output.ReadAsync(new byte[8], 0, 8, stop.Token);

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        output.Write("hello"u8.ToArray(), 0, 5);

        var buffer = new byte[8];
        Assert.Equal(5, await output.ReadAsync(buffer.AsMemory(), TestContext.Current.CancellationToken));
        Assert.Equal("hello"u8.ToArray(), buffer[..5]);
    }

    [Fact]
    public void Writes_never_block_and_reads_return_what_was_written_then_the_end()
    {
        var output = new CommandOutput(Budget(1024), Ignore);
        output.Write("abc"u8.ToArray(), 0, 3);
        output.Write("def"u8.ToArray(), 0, 3);
        output.End();

        var buffer = new byte[4];
        Assert.Equal(4, output.Read(buffer, 0, 4));
        Assert.Equal(2, output.Read(buffer, 0, 4));
        Assert.Equal(0, output.Read(buffer, 0, 4));
        Assert.Equal(0, output.Read(buffer, 0, 0));
    }

    [Fact]
    public void Past_the_limit_the_command_is_cancelled_once_and_the_reader_gets_what_was_kept_then_the_error()
    {
        var overflows = 0;
        var budget = new OutputBudget(8, new FakeTimeProvider(), () => overflows++, () => new InvalidDataException("limit"));
        var stdout = new CommandOutput(budget, Ignore);
        var stderr = new CommandOutput(budget, Ignore);

        stdout.Write(new byte[5], 0, 5);
        stderr.Write(new byte[3], 0, 3);
        stdout.Write(new byte[1], 0, 1);
        stdout.Write(new byte[1], 0, 1);

        Assert.Equal(1, overflows);
        Assert.Equal(5, stdout.Read(new byte[16], 0, 16));
        Assert.Throws<InvalidDataException>(() => stdout.Read(new byte[16], 0, 16));
        Assert.Equal(3, stderr.Read(new byte[16], 0, 16));
    }

    [Fact]
    public void Bytes_read_give_their_room_back_to_the_budget()
    {
        var overflows = 0;
        var budget = new OutputBudget(4, new FakeTimeProvider(), () => overflows++, () => new InvalidDataException("limit"));
        var output = new CommandOutput(budget, Ignore);

        for (var i = 0; i < 100; i++)
        {
            output.Write(new byte[4], 0, 4);
            Assert.Equal(4, output.Read(new byte[4], 0, 4));
        }

        Assert.Equal(0, overflows);
    }

    [Fact]
    public void The_budget_knows_how_long_ago_output_last_arrived_on_the_hops_clock()
    {
        var clock = new FakeTimeProvider();
        var budget = new OutputBudget(1024, clock, () => { }, () => new InvalidDataException());
        var output = new CommandOutput(budget, Ignore);

        output.Write(new byte[1], 0, 1);
        clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(TimeSpan.FromSeconds(3), budget.SinceLastArrival);
    }

    [Fact(Timeout = 10_000)]
    public async Task Every_byte_the_reader_takes_is_reported_so_the_window_can_reopen_and_nothing_else()
    {
        var taken = new List<int>();
        var output = new CommandOutput(Budget(1024), taken.Add);
        output.Write(new byte[10], 0, 10);
        output.Write(new byte[7], 0, 7);
        output.End();

        Assert.Equal(4, output.Read(new byte[4], 0, 4));
        Assert.Equal(13, await output.ReadAsync(new byte[64].AsMemory(), TestContext.Current.CancellationToken));
        Assert.Equal(0, output.Read(new byte[4], 0, 4));

        Assert.Equal([4, 13], taken);
    }

    [Fact]
    public void A_failed_channel_gives_the_reader_what_was_kept_then_the_error()
    {
        var output = new CommandOutput(Budget(1024), Ignore);
        output.Write(new byte[3], 0, 3);
        output.Fail(new InvalidDataException("past the window"));
        output.Write(new byte[3], 0, 3);

        Assert.Equal(3, output.Read(new byte[16], 0, 16));
        Assert.Equal("past the window", Assert.Throws<InvalidDataException>(() => output.Read(new byte[16], 0, 16)).Message);
    }

    private static void Ignore(int count)
    {
    }

    private static OutputBudget Budget(long limit) => new(limit, TimeProvider.System, () => { }, () => new InvalidDataException("limit"));
}
