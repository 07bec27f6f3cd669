using System.Diagnostics;
using System.Security.Cryptography;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;
using ParamikoJump.Pooling;
using ParamikoJump.Telemetry;

namespace ParamikoJump.IntegrationTests;

/// <summary>ParamikoJump's spans and metrics, as OpenTelemetry's in-memory exporter receives them from a real chain.</summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class TelemetryTests(LabFixture fixture)
{
    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 60_000)]
    public async Task A_command_through_a_jump_is_a_span_tree_from_the_bastion_connect_through_the_target_connect_to_the_command()
    {
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(ParamikoJumpTelemetry.Name).AddInMemoryExporter(spans).Build())
        using (var metering = Sdk.CreateMeterProviderBuilder().AddMeter(ParamikoJumpTelemetry.Name).AddInMemoryExporter(metrics).Build())
        {
            using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
            using (var client = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper)))
            {
                // cat sends back what it is given: output and input bytes are both counted.
                using var process = client.ExecCommand("cat");
                await process.Stdin.WriteAsync("telemetry\n"u8.ToArray(), TestContext.Current.CancellationToken);
                process.Stdin.Dispose();
                Assert.Equal("telemetry\n", await process.Stdout.ReadToEndAsync(TestContext.Current.CancellationToken));
                await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            using var refused = Hops.PasswordTarget(Lab, jumper, password: "wrong-password-for-telemetry");
            await Assert.ThrowsAsync<HopAuthenticationException>(() => refused.ConnectAsync(TestContext.Current.CancellationToken));
            tracing.ForceFlush();
            metering.ForceFlush();
        }

        var bastion = Lab["bastion-password"];
        var target = Lab["target-password"];
        var bastionConnect = Assert.Single(spans, s => s.DisplayName == "ssh connect" && Tag(s, "server.port") is int port && port == bastion.Port && Tag(s, "paramikojump.outcome") as string == "success");
        var targetConnects = spans.Where(s => s.DisplayName == "ssh connect" && (string?)Tag(s, "server.address") == target.Host).ToList();
        var targetConnect = Assert.Single(targetConnects, s => Tag(s, "paramikojump.outcome") as string == "success");
        var command = Assert.Single(spans, s => s.DisplayName == "ssh exec");

        Assert.Equal(bastionConnect.SpanId, targetConnect.ParentSpanId);
        Assert.Equal(targetConnect.SpanId, command.ParentSpanId);
        Assert.Equal(bastionConnect.TraceId, command.TraceId);
        Assert.Equal(ActivityKind.Client, targetConnect.Kind);
        Assert.Equal(target.Port, Tag(targetConnect, "server.port"));
        Assert.Equal($"{bastion.User}@{bastion.Host}:{bastion.Port}", Tag(targetConnect, "paramikojump.jump"));
        Assert.Equal(["ChannelOpen", "KeyExchange", "HostKeyVerification", "Authentication"], targetConnect.Events.Select(e => e.Name));
        Assert.Equal(["TcpConnect", "KeyExchange", "HostKeyVerification", "Authentication"], bastionConnect.Events.Select(e => e.Name));
        Assert.Equal(0, Tag(command, "process.exit.code"));
        Assert.Equal(ActivityStatusCode.Ok, command.Status);

        var failed = Assert.Single(targetConnects, s => Tag(s, "paramikojump.outcome") as string == "failure");
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal(typeof(HopAuthenticationException).FullName, Tag(failed, "error.type"));
        Assert.Equal(nameof(HopStage.Authentication), Tag(failed, "paramikojump.stage"));
        Assert.Equal(bastionConnect.SpanId, failed.ParentSpanId);

        // No password in any attribute, event or status of any span.
        var secrets = new[] { bastion.Credentials().Password!, target.Credentials().Password!, "wrong-password-for-telemetry" };
        var everything = spans.SelectMany(s => s.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(s.StatusDescription ?? string.Empty).Concat(s.Events.Select(e => e.Name)));
        Assert.DoesNotContain(everything, text => secrets.Any(secret => text.Contains(secret, StringComparison.Ordinal)));

        var connectDurations = Points(metrics, "paramikojump.hop.connect.duration");
        Assert.Contains(connectDurations, p => Tags(p)["paramikojump.outcome"] as string == "success" && Tags(p)["paramikojump.stage"] as string == "Session" && p.GetHistogramCount() >= 2);
        Assert.Contains(connectDurations, p => Tags(p)["paramikojump.outcome"] as string == "failure" && Tags(p)["paramikojump.stage"] as string == "Authentication");
        Assert.Contains(Points(metrics, "paramikojump.commands"), p => Tags(p)["paramikojump.outcome"] as string == "success" && p.GetSumLong() >= 1);
        Assert.Contains(Points(metrics, "paramikojump.command.output"), p => p.GetSumLong() >= "telemetry\n".Length);
        Assert.Contains(Points(metrics, "paramikojump.command.input"), p => p.GetSumLong() >= "telemetry\n".Length);
        Assert.NotEmpty(Points(metrics, "paramikojump.hop.active"));
        Assert.NotEmpty(Points(metrics, "paramikojump.tunnel.active"));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_lease_behind_the_MFA_bastion_is_a_span_tree_from_the_bastion_login_through_the_target_connect_to_the_command()
    {
        var bastion = Lab["bastion"];
        var user = bastion.Credentials("pjmfa");
        var target = Lab["target-password"];
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(ParamikoJumpTelemetry.Name).AddInMemoryExporter(spans).Build())
        using (var metering = Sdk.CreateMeterProviderBuilder().AddMeter(ParamikoJumpTelemetry.Name).AddInMemoryExporter(metrics).Build())
        {
            // pjmfa's server accepts a code again within its step: another test's login cannot take this one's.
            var jump = new HopSettings(bastion.Host)
            {
                Port = bastion.Port,
                Username = "pjmfa",
                AuthHandler = new PromptHandler()
                    .On("^Password:", user.Password!)
                    .On("Verification code", new TotpSource(user.TotpSecret!, period: TimeSpan.FromSeconds(user.TotpPeriod)) { ReuseProtection = false }),
                LookForKeys = false,
                AllowAgent = false,
                KnownHosts = Hops.KnownHostsOf(Lab),
            };
            var builder = new SshJumpDataSourceBuilder();
            builder.AddDestination("db01", Hops.SettingsFor(Lab, target), jump);
            await using var source = builder.Build();

            // No ambient activity (under one, a request's, every span would be its child): the chain is the tree.
            await using (var lease = await source.GetAsync("db01", TestContext.Current.CancellationToken))
            {
                using var process = await lease.Client.ExecCommandAsync("echo leased", cancellationToken: TestContext.Current.CancellationToken);
                Assert.Equal("leased\n", await process.Stdout.ReadToEndAsync(TestContext.Current.CancellationToken));
                await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            tracing.ForceFlush();
            metering.ForceFlush();
        }

        var bastionConnect = Assert.Single(spans, s => s.DisplayName == "ssh connect" && (string?)Tag(s, "paramikojump.hop") == $"pjmfa@{bastion.Host}:{bastion.Port}");
        var targetConnect = Assert.Single(spans, s => s.DisplayName == "ssh connect" && s.ParentSpanId == bastionConnect.SpanId);
        var command = Assert.Single(spans, s => s.DisplayName == "ssh exec" && s.ParentSpanId == targetConnect.SpanId);
        var mine = spans.Where(s => s.TraceId == bastionConnect.TraceId).ToList();
        Assert.Equal(default, bastionConnect.ParentSpanId);
        Assert.Equal([bastionConnect, targetConnect, command], mine.OrderBy(s => s.StartTimeUtc));
        Assert.Equal(target.Host, Tag(targetConnect, "server.address"));
        Assert.Equal(target.Port, Tag(targetConnect, "server.port"));
        Assert.Equal($"pjmfa@{bastion.Host}:{bastion.Port}", Tag(targetConnect, "paramikojump.jump"));
        Assert.Equal(["TcpConnect", "KeyExchange", "HostKeyVerification", "Authentication"], bastionConnect.Events.Select(e => e.Name));
        Assert.All([bastionConnect, targetConnect, command], s => Assert.Equal(ActivityStatusCode.Ok, s.Status));

        // Neither the password nor the TOTP secret in any attribute, event or status.
        var secrets = new[] { user.Password!, user.TotpSecret!, target.Credentials().Password! };
        var everything = mine.SelectMany(s => s.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(s.StatusDescription ?? string.Empty).Concat(s.Events.Select(e => e.Name)));
        Assert.DoesNotContain(everything, text => secrets.Any(secret => text.Contains(secret, StringComparison.Ordinal)));

        Assert.Contains(Points(metrics, "paramikojump.pool.leases"), p => Tags(p)["paramikojump.outcome"] as string == "success" && p.GetSumLong() >= 1);
        Assert.Contains(Points(metrics, "paramikojump.pool.jump.logins"), p => Tags(p)["paramikojump.relogin"] is false && p.GetSumLong() >= 1);
    }

    [Fact(Timeout = 120_000)]
    public async Task Each_SFTP_and_SCP_transfer_is_a_span_with_its_direction_and_size_and_the_meter_counts_the_bytes_by_direction()
    {
        // Several SFTP requests and SCP chunks; the async calls take a different size so each count is told apart.
        const int Size = 300_000;
        const int AsyncSize = 123_457;
        var data = RandomNumberGenerator.GetBytes(Size);
        var asyncData = RandomNumberGenerator.GetBytes(AsyncSize);
        var remote = $"pj-telemetry-{Guid.NewGuid():N}";
        var ct = TestContext.Current.CancellationToken;
        var spans = new List<Activity>();
        var metrics = new List<Metric>();
        using var testSource = new ActivitySource("ParamikoJump.IntegrationTests.Transfers");
        ActivityTraceId trace;
        byte[] sftpDown, sftpAsyncDown, scpDown;
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(ParamikoJumpTelemetry.Name, testSource.Name).AddInMemoryExporter(spans).Build())
        using (var metering = Sdk.CreateMeterProviderBuilder().AddMeter(ParamikoJumpTelemetry.Name).AddInMemoryExporter(metrics).Build())
        {
            // This test's own span is the ambient parent, so its transfers are told from any other test's.
            using (var test = testSource.StartActivity("transfers"))
            {
                trace = test!.TraceId;
                using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
                using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
                using var sftp = await target.OpenSftpAsync(ct);
                sftp.UploadFile(new MemoryStream(data), remote + ".sftp");
                using (var down = new MemoryStream())
                {
                    sftp.DownloadFile(remote + ".sftp", down);
                    sftpDown = down.ToArray();
                }

                await sftp.UploadFileAsync(new MemoryStream(asyncData), remote + ".async", ct);
                using (var down = new MemoryStream())
                {
                    await sftp.DownloadFileAsync(remote + ".async", down, ct);
                    sftpAsyncDown = down.ToArray();
                }

                using (var scp = await target.OpenScpAsync(ct))
                using (var down = new MemoryStream())
                {
                    scp.Upload(new MemoryStream(data), remote + ".scp");
                    scp.Download(remote + ".scp", down);
                    scpDown = down.ToArray();
                }

                foreach (var suffix in new[] { ".sftp", ".async", ".scp" })
                {
                    sftp.DeleteFile(remote + suffix);
                }
            }

            tracing.ForceFlush();
            metering.ForceFlush();
        }

        // The counting wrapped the caller's streams without changing a byte.
        Assert.Equal(data, sftpDown);
        Assert.Equal(asyncData, sftpAsyncDown);
        Assert.Equal(data, scpDown);

        var transfers = spans.Where(s => s.TraceId == trace && s.DisplayName is "sftp" or "scp").ToList();
        Assert.Equal(
            [("sftp", "UploadFile", "upload", (long)Size), ("sftp", "DownloadFile", "download", Size), ("sftp", "UploadFileAsync", "upload", AsyncSize),
             ("sftp", "DownloadFileAsync", "download", AsyncSize), ("scp", "Upload", "upload", Size), ("scp", "Download", "download", Size)],
            transfers.OrderBy(s => s.StartTimeUtc).Select(s => (s.DisplayName, (string)Tag(s, "paramikojump.operation")!, (string)Tag(s, "paramikojump.transfer.direction")!, (long)Tag(s, "paramikojump.transfer.bytes")!)));
        Assert.All(transfers, s =>
        {
            Assert.Equal(ActivityStatusCode.Ok, s.Status);
            Assert.Equal(ActivityKind.Client, s.Kind);
            Assert.Equal(Lab["target-password"].Port, Tag(s, "server.port"));

            // No path: file names are the application's data, unbounded, and in a directory download the server's.
            Assert.DoesNotContain(s.TagObjects, t => t.Value?.ToString()?.Contains(remote, StringComparison.Ordinal) == true);
        });

        // Cumulative sums, exported at the flush and again as the provider closed: the last export holds the totals.
        var bytes = Points(metrics.Where(m => m.Name == "paramikojump.transfer.bytes").TakeLast(1), "paramikojump.transfer.bytes");
        long Counted(string protocol, string direction) => bytes
            .Where(p => Tags(p)["paramikojump.transfer.protocol"] as string == protocol && Tags(p)["paramikojump.transfer.direction"] as string == direction)
            .Sum(p => p.GetSumLong());
        Assert.Equal(Size + AsyncSize, Counted("sftp", "upload"));
        Assert.Equal(Size + AsyncSize, Counted("sftp", "download"));
        Assert.Equal(Size, Counted("scp", "upload"));
        Assert.Equal(Size, Counted("scp", "download"));
    }

    private static object? Tag(Activity span, string name) => span.GetTagItem(name);

    internal static List<MetricPoint> Points(IEnumerable<Metric> metrics, string name)
    {
        var points = new List<MetricPoint>();
        foreach (var metric in metrics.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                points.Add(point);
            }
        }

        return points;
    }

    internal static Dictionary<string, object?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }
}
