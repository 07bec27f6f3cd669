using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ParamikoJump.Lab;
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
                using var process = client.ExecCommand("echo telemetry");
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
        Assert.NotEmpty(Points(metrics, "paramikojump.hop.active"));
        Assert.NotEmpty(Points(metrics, "paramikojump.tunnel.active"));
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
