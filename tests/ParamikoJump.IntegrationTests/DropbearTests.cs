using System.Diagnostics;
using System.Globalization;
using ParamikoJump.Execution;
using ParamikoJump.Lab;
using Renci.SshNet.Common;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// Dropbear (Debian's 2022.83, as on much network gear and small bastions) as jump and as target: the seed examples,
/// and several commands open at once on one session, which that dropbear breaks unless commands start one after the
/// other (see Execution/CommandStarts).
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class DropbearTests(LabFixture fixture)
{
    /// <summary>A jump and the target behind it: dropbear behind dropbear, and OpenSSH behind OpenSSH as the control.</summary>
    public static TheoryData<string, string> Chains => new()
    {
        { "dropbear-bastion", "dropbear-target" },
        { "bastion-password", "target-password" },
    };

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task Password_login_to_a_dropbear_bastion_then_a_key_login_to_a_dropbear_target_behind_it()
    {
        var bastion = Lab["dropbear-bastion"];
        var target = Lab["dropbear-target"];
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab, "dropbear-bastion"));
        using var byKey = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: target.Host, port: target.Port, username: target.User,
            keyFilenames: [Lab.KeyFile("ed25519")], lookForKeys: false, allowAgent: false, jumpSession: jumper));
        using var byPassword = await Hops.ConnectAsync(Hops.Target(Lab, "dropbear-target", jumper));

        Assert.StartsWith("SSH-2.0-dropbear", jumper.ConnectionInfo.ServerVersion, StringComparison.Ordinal);
        Assert.StartsWith("SSH-2.0-dropbear", byKey.ConnectionInfo.ServerVersion, StringComparison.Ordinal);
        Assert.Equal(bastion.User, Hops.Run(jumper, "whoami"));
        Assert.Equal($"{target.User} {target.Address}", Hops.Run(byKey, "echo $(whoami) $(echo $SSH_CONNECTION | cut -d' ' -f3)"));
        Assert.Equal(target.User, Hops.Run(byPassword, "whoami"));
        Assert.Equal($"{target.User}@{target.Host}:{target.Port} via {bastion.User}@{bastion.Host}:{bastion.Port}", byKey.Hop.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task ExecCommand_on_a_dropbear_target_keeps_stdin_stdout_and_stderr_apart_and_reports_the_exit_status()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab, "dropbear-bastion"));
        using var target = await Hops.ConnectAsync(Hops.Target(Lab, "dropbear-target", jumper));

        var (stdin, stdout, stderr) = target.ExecCommand("tr a-z A-Z; echo done >&2; exit 7");
        await stdin.WriteAsync("hello through dropbear\n"u8.ToArray(), TestContext.Current.CancellationToken);
        stdin.Dispose();

        Assert.Equal(["HELLO THROUGH DROPBEAR"], stdout.ReadLines());
        Assert.Equal("done\n", stderr.ReadToEnd());
        Assert.Equal(7, stdout.Process.WaitForExit());
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Chains))]
    public async Task Five_commands_open_at_once_then_read_forty_times_over(string jumpId, string targetId)
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab, jumpId));
        using var target = await Hops.ConnectAsync(Hops.Target(Lab, targetId, jumper));

        for (var batch = 0; batch < 40; batch++)
        {
            var processes = Enumerable.Range(0, 5).Select(i => target.ExecCommand($"echo {batch}-{i}; echo err-{i} >&2; exit {i}")).ToList();
            for (var i = 0; i < processes.Count; i++)
            {
                using var process = processes[i];
                Assert.Equal($"{batch}-{i}\n", process.Stdout.ReadToEnd());
                Assert.Equal($"err-{i}\n", process.Stderr.ReadToEnd());
                Assert.Equal(i, process.WaitForExit());
            }
        }

        Assert.True(target.IsConnected);
    }

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Chains))]
    public async Task Three_hundred_commands_started_in_a_row_then_read_all_arrive(string jumpId, string targetId)
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab, jumpId));
        using var target = await Hops.ConnectAsync(Hops.Target(Lab, targetId, jumper));

        var processes = new List<RemoteProcess>();
        try
        {
            for (var i = 0; i < 300; i++)
            {
                processes.Add(target.ExecCommand($"echo {i}"));
            }

            var outputs = processes.Select(p => p.Stdout.ReadToEnd().Trim()).ToList();

            Assert.Equal(Enumerable.Range(0, 300).Select(i => i.ToString(CultureInfo.InvariantCulture)), outputs);
            Assert.All(processes, p => Assert.Equal(0, p.WaitForExit()));
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task On_dropbear_a_command_waits_for_the_one_before_it_and_says_why_when_that_one_outlasts_the_channel_budget()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab, "dropbear-bastion"));
        using var target = await Hops.ConnectAsync(Hops.Target(Lab, "dropbear-target", jumper, s => s.ChannelTimeout = TimeSpan.FromSeconds(1)));
        using var sleeper = target.ExecCommand("sleep 3; echo slept");
        var watch = Stopwatch.StartNew();

        var error = Assert.Throws<HopTimeoutException>(() => target.ExecCommand("echo second"));

        Assert.Equal(TimeSpan.FromSeconds(1), error.Budget);
        Assert.Equal(HopStage.Session, error.Stage);
        Assert.Contains("'sleep 3; echo slept' still runs", error.Message, StringComparison.Ordinal);
        Assert.Contains("2024.86", error.Message, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2.5));

        // Once the running command has exited, the next one starts; one that only waits a little is not refused.
        Assert.Equal("slept\n", sleeper.Stdout.ReadToEnd());
        using var first = target.ExecCommand("sleep 0.5; echo first");
        using var second = target.ExecCommand("echo second");
        Assert.Equal("first\n", first.Stdout.ReadToEnd());
        Assert.Equal("second\n", second.Stdout.ReadToEnd());
    }

    [Fact(Timeout = 60_000)]
    public async Task On_dropbear_awaited_commands_take_their_turn_one_after_the_other_and_say_why_when_it_outlasts_the_channel_budget()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab, "dropbear-bastion"));
        using var target = await Hops.ConnectAsync(Hops.Target(Lab, "dropbear-target", jumper, s => s.ChannelTimeout = TimeSpan.FromSeconds(1)));
        using var sleeper = await target.ExecCommandAsync("sleep 2; echo slept", cancellationToken: cancellation);

        var error = await Assert.ThrowsAsync<HopTimeoutException>(() => target.ExecCommandAsync("echo second", cancellationToken: cancellation));

        Assert.Equal(TimeSpan.FromSeconds(1), error.Budget);
        Assert.Contains("'sleep 2; echo slept' still runs", error.Message, StringComparison.Ordinal);
        Assert.Equal("slept\n", await sleeper.Stdout.ReadToEndAsync(cancellation));

        // Five started at once wait for their turns without a thread, each until the one before it has exited.
        var processes = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => target.ExecCommandAsync($"echo {i}", cancellationToken: cancellation)));
        try
        {
            var outputs = await Task.WhenAll(processes.Select(process => process.Stdout.ReadToEndAsync(cancellation)));
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{i}\n"), outputs.Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Dispose();
            }
        }
    }

    /// <summary>
    /// The cause, shown with SSH.NET's own commands, which ParamikoJump does not hold back: channels opened while
    /// other commands exit are closed by this dropbear before their exec request is answered, or the connection drops.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task The_lab_dropbear_drops_channels_opened_while_other_commands_exit_when_nothing_holds_them_back()
    {
        using var client = await Hops.ConnectAsync(new SshJumpClient(new HopSettings(Lab["dropbear-bastion"].Host)
        {
            Username = Lab["dropbear-bastion"].User,
            Password = Lab["dropbear-bastion"].Credentials().Password,
            LookForKeys = false,
            AllowAgent = false,
            KnownHosts = Hops.KnownHostsOf(Lab),
            ChannelTimeout = TimeSpan.FromSeconds(3),
        }));
        var broken = 0;
        for (var batch = 0; batch < 100 && broken == 0; batch++)
        {
            var commands = new List<(SshCommand Command, Task Run)>();
            try
            {
                for (var i = 0; i < 5; i++)
                {
                    var command = client.CreateCommand($"echo {i}");
                    commands.Add((command, command.ExecuteAsync(TestContext.Current.CancellationToken)));
                }

                foreach (var (command, run) in commands)
                {
                    await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
                    broken += command.Result.Trim().Length == 0 ? 1 : 0;
                }
            }
            catch (Exception ex) when (ex is SshException or TimeoutException or ObjectDisposedException or InvalidOperationException)
            {
                broken++;
            }
            finally
            {
                commands.ForEach(c => c.Command.Dispose());
            }
        }

        Assert.True(broken > 0, "100 batches of 5 SSH.NET commands at once all ran: the lab's dropbear no longer shows the bug ParamikoJump works around");
    }
}
