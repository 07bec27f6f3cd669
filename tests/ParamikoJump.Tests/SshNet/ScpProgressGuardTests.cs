using ParamikoJump.SshNet;
using ParamikoJump.Tests.Hostile;
using Renci.SshNet;
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
    public void Disposing_the_pipes_ends_a_read_waiting_on_one()
    {
        var pipes = new ConnectionPipes();
        using var pipe = new PipeStream();
        pipes.Add(pipe);
        var read = -1;
        var reader = new Thread(() => read = pipe.Read(new byte[8], 0, 8)) { IsBackground = true };
        reader.Start();
        Assert.True(SpinWait.SpinUntil(() => reader.ThreadState.HasFlag(ThreadState.WaitSleepJoin), TimeSpan.FromSeconds(10)), "the read never started waiting");

        pipes.DisposeAll();

        Assert.True(reader.Join(TimeSpan.FromSeconds(5)), "the read still waits after its pipe was disposed");
        Assert.Equal(0, read);
    }

    // SSH.NET's own ScpClient against a real SSH server (Hostile/): ScpClient raises its progress events inside its
    // transfer loops, on the transfer's thread, and a handler's exception ends the transfer. The guard relies on both.

    [Fact]
    public async Task SSH_NETs_download_loop_over_a_closed_channel_is_ended_by_the_guard()
    {
        using var server = HostileServer.Start("scp-truncated");
        using var client = new ScpClient(Info(server), RemotePathTransformation.ShellQuote);
        client.Connect();
        using var guard = new ScpProgressGuard(() => false);
        client.Downloading += guard.OnDownloading;

        // Without the guard this download would spin for ever: the file announced 100 bytes, the channel closed after 40.
        var download = Task.Run(() => client.Download("f", new MemoryStream()), TestContext.Current.CancellationToken);
        var error = await Assert.ThrowsAsync<SshConnectionException>(() => download.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

        Assert.Contains("closed after 40 of 100 bytes of 'f'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SSH_NETs_upload_loop_raises_progress_per_chunk_and_is_ended_by_the_guard_once_the_connection_is_lost()
    {
        using var server = HostileServer.Start("scp-sink");
        using var client = new ScpClient(Info(server), RemotePathTransformation.ShellQuote);
        client.Connect();
        var events = 0;
        using var guard = new ScpProgressGuard(() => events > 1);
        client.Uploading += (_, _) => events++;
        client.Uploading += guard.OnUploading;

        var error = Assert.Throws<SshConnectionException>(() => client.Upload(new MemoryStream(new byte[4 << 20]), "f"));

        Assert.Equal("The connection was lost during the SCP transfer.", error.Message);
        Assert.Equal(2, events);
    }

    private static ConnectionInfo Info(HostileServer server) =>
        new("127.0.0.1", server.Port, "victim", new PasswordAuthenticationMethod("victim", "pw")) { Timeout = TimeSpan.FromSeconds(10) };
}
