using System.Diagnostics;
using ParamikoJump.Execution;
using ParamikoJump.HostKeys;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// paramiko's <c>exec_command(cmd, environment=..., get_pty=True)</c> through the bastion, against a real sshd whose
/// <c>AcceptEnv</c> allows <c>PJ_ACCEPTED_*</c>: the lab's own servers accept no variables, so the fixture starts a
/// throwaway sshd in the targets' namespace (reachable only through the bastion) and stops it afterwards.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class EnvironmentAndPtyTests(LabFixture fixture, EnvironmentAndPtyTests.AcceptEnvServer server) : IClassFixture<EnvironmentAndPtyTests.AcceptEnvServer>
{
    private readonly AcceptEnvServer _server = server.StartedFor(fixture.Lab);

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 90_000)]
    public async Task Variables_AcceptEnv_allows_arrive_and_a_requested_pty_is_a_terminal()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var client = await Hops.ConnectAsync(new SshJumpClient(_server.Settings(), jumper));

        var (status, output) = await RunAsync(client, "echo \"[$PJ_ACCEPTED_GREETING]\"; tty; echo \"$TERM\"",
            new CommandOptions { Environment = { ["PJ_ACCEPTED_GREETING"] = "hello world" }, GetPty = true, TerminalType = "xterm" });
        var (plainStatus, plainOutput) = await RunAsync(client, "tty", new CommandOptions());

        var lines = output.Replace("\r", "", StringComparison.Ordinal).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(0, status);
        Assert.Equal("[hello world]", lines[0]);
        Assert.StartsWith("/dev/pts/", lines[1], StringComparison.Ordinal);
        Assert.Equal("xterm", lines[2]);
        Assert.Equal((1, "not a tty"), (plainStatus, plainOutput.Trim()));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_variable_sshd_refuses_is_a_typed_error_and_the_command_never_runs()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var client = await Hops.ConnectAsync(new SshJumpClient(_server.Settings(), jumper));
        var marker = $"/tmp/pj-env-ran-{Guid.NewGuid():N}";

        var error = Assert.Throws<CommandRequestRefusedException>(() => client.ExecCommand($"touch {marker}",
            new CommandOptions { Environment = { ["PJ_ACCEPTED_OK"] = "1", ["PJ_NOT_ALLOWED"] = "secret-value" } }));
        var (_, ran) = await RunAsync(client, $"test -e {marker} && echo ran || echo not-run", new CommandOptions());

        Assert.Equal(("env", "PJ_NOT_ALLOWED", HopStage.Session), (error.Request, error.VariableName, error.Stage));
        Assert.Contains("PJ_NOT_ALLOWED", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
        Assert.Equal("not-run", ran.Trim());
    }

    [Fact(Timeout = 90_000)]
    public async Task SendEnv_and_SetEnv_of_a_hop_are_sent_and_a_refused_one_is_dropped_with_a_log_line_as_ssh_drops_it()
    {
        Environment.SetEnvironmentVariable("PJ_ACCEPTED_LOCAL", "from this process");
        try
        {
            var logs = new CapturingLoggerFactory();
            using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
            var settings = _server.Settings();
            settings.LoggerFactory = logs;
            settings.SendEnv = ["PJ_ACCEPTED_L*"];
            settings.SetEnv = new Dictionary<string, string> { ["PJ_ACCEPTED_SET"] = "from SetEnv", ["PJ_DROPPED"] = "x" };
            using var client = await Hops.ConnectAsync(new SshJumpClient(settings, jumper));

            var (status, output) = await RunAsync(client, "echo \"$PJ_ACCEPTED_LOCAL|$PJ_ACCEPTED_SET|${PJ_DROPPED:-unset}\"", new CommandOptions());

            Assert.Equal((0, "from this process|from SetEnv|unset"), (status, output.Trim()));
            Assert.Contains(logs.Lines, line => line.Contains("refused to set PJ_DROPPED", StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PJ_ACCEPTED_LOCAL", null);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task The_labs_own_target_without_AcceptEnv_refuses_a_variable_by_name()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var client = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));

        var error = await Assert.ThrowsAsync<CommandRequestRefusedException>(() =>
            client.ExecCommandAsync("true", new CommandOptions { Environment = { ["LANG"] = "C.UTF-8" } }, TestContext.Current.CancellationToken));

        Assert.Equal("LANG", error.VariableName);
        Assert.Equal("still usable", (await RunAsync(client, "echo still usable", new CommandOptions())).Output.Trim());
    }

    private static async Task<(int Status, string Output)> RunAsync(SshJumpClient client, string command, CommandOptions options)
    {
        options.Timeout ??= TimeSpan.FromSeconds(60);
        using var process = await client.ExecCommandAsync(command, options);
        process.Stdin.Dispose();
        var output = await process.Stdout.ReadToEndAsync();
        return (await process.WaitForExitAsync(), output);
    }

    /// <summary>
    /// An sshd in the lab's targets namespace on a port of its own, with <c>AcceptEnv PJ_ACCEPTED_*</c>, the lab's
    /// host key and authorized keys; the lab itself is not changed. Stopped when the class is done.
    /// </summary>
    public sealed class AcceptEnvServer : IDisposable
    {
        private const int Port = 2291;
        private readonly string _directory = Directory.CreateTempSubdirectory("pj-acceptenv-").FullName;
        private LabDescription? _lab;
        private Process? _sshd;

        private readonly object _gate = new();

        /// <summary>Starts the server on first use (the lab is known only to the collection fixture).</summary>
        public AcceptEnvServer StartedFor(LabDescription lab)
        {
            lock (_gate)
            {
                if (_sshd is null)
                {
                    Start(lab);
                }
            }

            return this;
        }

        public HopSettings Settings()
        {
            var lab = _lab!;
            var target = lab["target-key"];
            var knownHosts = new KnownHosts();
            var hostKey = File.ReadAllText(Path.Combine(Path.GetDirectoryName(lab.KnownHosts)!, "hostkeys", target.Namespace + ".pub")).Split(' ');
            knownHosts.Add($"[{target.Host}]:{Port}", Convert.FromBase64String(hostKey[1]));
            return new HopSettings(target.Host)
            {
                Port = Port,
                Username = target.User,
                KeyFilenames = [lab.KeyFile("ed25519")],
                LookForKeys = false,
                AllowAgent = false,
                KnownHosts = knownHosts,
            };
        }

        public void Dispose()
        {
            if (_sshd is { HasExited: false })
            {
                _sshd.Kill();
                _sshd.WaitForExit();
            }

            _sshd?.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private void Start(LabDescription lab)
        {
            _lab = lab;
            var target = lab["target-key"];
            var state = Path.GetDirectoryName(lab.KnownHosts)!;
            var config = Path.Combine(_directory, "sshd_config");
            File.WriteAllText(config, $"""
                ListenAddress {target.Address}:{Port}
                HostKey {state}/hostkeys/{target.Namespace}
                PidFile {_directory}/sshd.pid
                AuthorizedKeysFile {state}/authorized_keys/%u
                AllowUsers {target.User}
                AuthenticationMethods publickey
                UsePAM no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                AcceptEnv PJ_ACCEPTED_*
                PermitTTY yes
                UseDNS no
                PrintMotd no
                PrintLastLog no
                LogLevel VERBOSE
                """);
            _sshd = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", target.Namespace, "/usr/sbin/sshd", "-D", "-e", "-f", config])
            {
                RedirectStandardError = true,
            })!;
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
            _sshd.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    seen.Enqueue(line);
                    if (line.Contains("Server listening", StringComparison.Ordinal))
                    {
                        listening.TrySetResult();
                    }
                }
            };
            _sshd.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("sshd exited: " + string.Join(" | ", seen)));
            _sshd.EnableRaisingEvents = true;
            _sshd.BeginErrorReadLine();
            if (!listening.Task.Wait(TimeSpan.FromSeconds(20)))
            {
                throw new TimeoutException("The AcceptEnv sshd did not start listening within 20 s: " + string.Join(" | ", seen));
            }
        }
    }
}
