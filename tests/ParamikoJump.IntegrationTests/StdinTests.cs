using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// Closing a command's stdin sends end-of-file, also when nothing was written (paramiko users write
/// <c>stdin.close()</c>): <c>wc -c</c> and <c>cat</c> end instead of waiting forever, on OpenSSH and on dropbear.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class StdinTests(LabFixture fixture)
{
    public static TheoryData<string, string, string, string> Cases
    {
        get
        {
            var cases = new TheoryData<string, string, string, string>();
            foreach (var (jump, target) in new[] { ("bastion-password", "target-password"), ("dropbear-bastion", "dropbear-target") })
            {
                foreach (var input in new[] { "", "two\nlines\n" })
                {
                    cases.Add(jump, target, "wc -c", input);
                    cases.Add(jump, target, "cat", input);
                }
            }

            return cases;
        }
    }

    private LabDescription Lab => fixture.Lab;

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Cases))]
    public async Task Closing_stdin_ends_the_input_of_the_command(string jumpId, string targetId, string command, string input)
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab, jumpId));
        using var target = await Hops.ConnectAsync(Hops.Target(Lab, targetId, jumper));
        var expected = command == "cat" ? input : $"{System.Text.Encoding.UTF8.GetByteCount(input)}\n";

        // Ten times each: a lost end-of-file used to hang every one of them.
        for (var i = 0; i < 10; i++)
        {
            using var process = target.ExecCommand(command);
            if (input.Length > 0)
            {
                await process.Stdin.WriteAsync(System.Text.Encoding.UTF8.GetBytes(input), TestContext.Current.CancellationToken);
            }

            process.Stdin.Dispose();

            Assert.Equal(expected, (await process.Stdout.ReadToEndAsync(TestContext.Current.CancellationToken)).TrimStart());
            Assert.Equal(0, await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task Closing_stdin_while_the_command_exits_never_costs_the_session()
    {
        // SSH.NET checks that a channel is open outside the lock its close holds, so an EOF sent as the command's close
        // arrives could follow our CLOSE; OpenSSH then drops the whole connection. Sweep the moment of closing across
        // the command's exit, with and without a write before it (ours and SSH.NET's EOF).
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab, "bastion-password"));
        using var target = await Hops.ConnectAsync(Hops.Target(Lab, "target-password", jumper));
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 400; i++)
        {
            var written = i % 2 == 1;
            using var process = target.ExecCommand(written ? "head -c 1" : "true");
            if (written)
            {
                await process.Stdin.WriteAsync(new byte[] { (byte)'x' }, ct);
                await process.Stdin.FlushAsync(ct);
            }

            var closeAfter = System.Diagnostics.Stopwatch.GetTimestamp() + (i % 40 * System.Diagnostics.Stopwatch.Frequency / 20_000);
            while (System.Diagnostics.Stopwatch.GetTimestamp() < closeAfter)
            {
                Thread.SpinWait(20);
            }

            process.Stdin.Dispose();
            Assert.Equal(0, await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(20), ct));
            Assert.True(target.IsConnected, $"the session was lost closing stdin of command {i}");
        }

        Assert.Equal("still here\n", target.RunCommand("echo still here").Result);
    }
}
