using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>ExecCommand in paramiko's shape, through a jump: stdin, stdout, stderr and exit status.</summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class ExecTests(LabFixture fixture)
{
    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task Commands_that_finish_at_once_still_start_and_report_their_status()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));

        for (var i = 0; i < 30; i++)
        {
            using var process = target.ExecCommand("exit 3");
            Assert.Equal(3, process.WaitForExit());
        }

        using var exited = target.ExecCommand("true");
        exited.WaitForExit();
        Assert.ThrowsAny<IOException>(() =>
        {
            exited.Stdin.Write("late"u8);
            exited.Stdin.Flush();
        });
    }

    [Fact(Timeout = 60_000)]
    public async Task Stdin_reaches_the_command_and_stdout_and_stderr_stay_apart()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));

        var (stdin, stdout, stderr) = target.ExecCommand("tr a-z A-Z; echo done >&2; exit 7");
        await stdin.WriteAsync("hello through the jump\n"u8.ToArray(), TestContext.Current.CancellationToken);
        stdin.Dispose();

        Assert.Equal(["HELLO THROUGH THE JUMP"], stdout.ReadLines());
        Assert.Equal("done\n", stderr.ReadToEnd());
        Assert.Equal(7, stdout.Process.WaitForExit());
    }
}
