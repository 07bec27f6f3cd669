using System.Diagnostics;
using System.Globalization;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// 1 GiB of random data up and down, SHA-256 checked, by SFTP and by SCP, through one hop (bastion-password to
/// target-password) and through five (the circuit hop1 .. hop5). The data is streamed (never held in memory) from
/// a keystream drawn once per run; each transfer's time goes to the test output.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class BulkTransferTests(LabFixture fixture)
{
    private const long GiB = 1L << 30;

    private LabDescription Lab => fixture.Lab;

    [Fact(Timeout = 240_000)]
    public async Task One_GiB_goes_up_and_down_by_SFTP_through_one_hop_intact()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var sftp = Hops.Sftp(Lab, "target-password", jumper);
        await sftp.ConnectAsync(TestContext.Current.CancellationToken);
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));

        await RoundTripSftpAsync(sftp, target, "SFTP, 1 hop");
    }

    [Fact(Timeout = 240_000)]
    public async Task One_GiB_goes_up_and_down_by_SFTP_through_five_hops_intact()
    {
        using var circuit = await Hops.CircuitAsync(Lab, 5);
        using var sftp = Hops.Sftp(Lab, "hop5", circuit[3]);
        await sftp.ConnectAsync(TestContext.Current.CancellationToken);

        await RoundTripSftpAsync(sftp, circuit[4], "SFTP, 5 hops");
    }

    [Fact(Timeout = 240_000)]
    public async Task One_GiB_goes_up_and_down_by_SCP_through_one_hop_intact()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var scp = Hops.Scp(Lab, "target-password", jumper);
        await scp.ConnectAsync(TestContext.Current.CancellationToken);
        using var target = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));

        await Task.Run(() => RoundTripScp(scp, target, "SCP, 1 hop"), TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = 240_000)]
    public async Task One_GiB_goes_up_and_down_by_SCP_through_five_hops_intact()
    {
        using var circuit = await Hops.CircuitAsync(Lab, 5);
        using var scp = Hops.Scp(Lab, "hop5", circuit[3]);
        await scp.ConnectAsync(TestContext.Current.CancellationToken);

        await Task.Run(() => RoundTripScp(scp, circuit[4], "SCP, 5 hops"), TestContext.Current.CancellationToken);
    }

    /// <summary>Up by SFTP, checked by sha256sum on the server, then down by SFTP, checked here.</summary>
    private static async Task RoundTripSftpAsync(SftpJumpClient sftp, SshJumpClient shell, string what)
    {
        var token = TestContext.Current.CancellationToken;
        var path = $"pj-bulk-{Guid.NewGuid():N}.bin";
        try
        {
            var up = Stopwatch.StartNew();
            using (var data = TransferData.Open(GiB))
            {
                await sftp.UploadFileAsync(data, path, token);
            }

            up.Stop();
            Assert.Equal(TransferData.Sha256Of(GiB), Hops.Run(shell, $"sha256sum {path} | cut -d' ' -f1"));

            using var sink = new TransferData.HashingSink();
            var down = Stopwatch.StartNew();
            await sftp.DownloadFileAsync(path, sink, token);
            down.Stop();

            Assert.Equal(GiB, sink.Length);
            Assert.Equal(TransferData.Sha256Of(GiB), sink.Sha256());
            Report(what, up.Elapsed, down.Elapsed);
        }
        finally
        {
            sftp.DeleteFile(path);
        }
    }

    /// <summary>Up by SCP, checked by sha256sum on the server, then down by SCP, checked here.</summary>
    private static void RoundTripScp(ScpJumpClient scp, SshJumpClient shell, string what)
    {
        var path = $"pj-bulk-{Guid.NewGuid():N}.bin";
        try
        {
            var up = Stopwatch.StartNew();
            using (var data = TransferData.Open(GiB))
            {
                scp.Upload(data, path);
            }

            up.Stop();
            Assert.Equal(TransferData.Sha256Of(GiB), Hops.Run(shell, $"sha256sum {path} | cut -d' ' -f1"));

            using var sink = new TransferData.HashingSink();
            var down = Stopwatch.StartNew();
            scp.Download(path, sink);
            down.Stop();

            Assert.Equal(GiB, sink.Length);
            Assert.Equal(TransferData.Sha256Of(GiB), sink.Sha256());
            Report(what, up.Elapsed, down.Elapsed);
        }
        finally
        {
            Hops.Run(shell, $"rm -f {path}");
        }
    }

    private static void Report(string what, TimeSpan up, TimeSpan down) =>
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{what}: 1 GiB up in {up.TotalSeconds:0.0} s ({GiB / up.TotalSeconds / 1e6:0} MB/s), down in {down.TotalSeconds:0.0} s ({GiB / down.TotalSeconds / 1e6:0} MB/s)"));
}
