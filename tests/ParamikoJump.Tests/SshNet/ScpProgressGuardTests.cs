using ParamikoJump.SshNet;
using Renci.SshNet.Common;

namespace ParamikoJump.Tests.SshNet;

public class ScpProgressGuardTests
{
    [Fact]
    public void A_download_that_reports_the_same_position_twice_has_stopped_receiving_and_is_ended()
    {
        using var guard = new ScpProgressGuard(() => false);
        guard.OnDownloading(null, new ScpDownloadEventArgs("f", 100, 0));
        guard.OnDownloading(null, new ScpDownloadEventArgs("f", 100, 40));

        var error = Assert.Throws<SshConnectionException>(() => guard.OnDownloading(null, new ScpDownloadEventArgs("f", 100, 40)));

        Assert.Contains("40 of 100 bytes of 'f'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_finished_or_empty_file_may_report_its_end_twice()
    {
        using var guard = new ScpProgressGuard(() => false);

        guard.OnDownloading(null, new ScpDownloadEventArgs("f", 100, 60));
        guard.OnDownloading(null, new ScpDownloadEventArgs("f", 100, 100));
        guard.OnDownloading(null, new ScpDownloadEventArgs("f", 100, 100));
        guard.OnDownloading(null, new ScpDownloadEventArgs("empty", 0, 0));
        guard.OnDownloading(null, new ScpDownloadEventArgs("empty", 0, 0));
    }

    [Fact]
    public void Each_transfer_starts_afresh()
    {
        using var guard = new ScpProgressGuard(() => false);
        guard.OnDownloading(null, new ScpDownloadEventArgs("f", 100, 0));

        guard.Reset();
        guard.OnDownloading(null, new ScpDownloadEventArgs("f", 100, 0));
    }

    [Fact]
    public void Both_directions_stop_once_the_connection_is_lost()
    {
        var lost = false;
        using var guard = new ScpProgressGuard(() => lost);
        guard.OnUploading(null, new ScpUploadEventArgs("f", 100, 10));

        lost = true;

        Assert.Throws<SshConnectionException>(() => guard.OnUploading(null, new ScpUploadEventArgs("f", 100, 20)));
        Assert.Throws<SshConnectionException>(() => guard.OnDownloading(null, new ScpDownloadEventArgs("f", 100, 20)));
    }

    [Fact]
    public async Task Disposing_the_pipes_ends_a_read_waiting_on_one()
    {
        var pipes = new ConnectionPipes();
        using var pipe = new PipeStream();
        pipes.Add(pipe);
        var read = Task.Run(() => pipe.Read(new byte[8], 0, 8), TestContext.Current.CancellationToken);
        await Task.Delay(50, TestContext.Current.CancellationToken);

        pipes.DisposeAll();

        Assert.Equal(0, await read.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
    }
}
