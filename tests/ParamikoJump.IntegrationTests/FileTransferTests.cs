using System.Diagnostics;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;
using Renci.SshNet.Common;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// SFTP and SCP through jumps, against the lab's real sshd and sftp-server: trees both ways with their times and
/// modes, progress, a resumed upload, a middle hop dying mid-transfer, MFA targets, and the paths around the clients.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the lab, and the modes these tests compare, are Linux's
public sealed class FileTransferTests(LabFixture fixture) : IDisposable
{
    private const long MiB = 1L << 20;

    // A generous bound that still tells "failed promptly" from "waited out a 30 s default timeout".
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    private readonly DirectoryInfo _local = Directory.CreateTempSubdirectory("pj-files-");

    private LabDescription Lab => fixture.Lab;

    public void Dispose()
    {
        // Never through a symbolic link: a link to a folder outside would have its modes reset too.
        var everything = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var entry in _local.EnumerateFileSystemInfos("*", everything))
        {
            entry.Attributes = FileAttributes.Normal;
            if (entry is DirectoryInfo directory)
            {
                File.SetUnixFileMode(directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        _local.Delete(recursive: true);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_directory_tree_goes_up_and_down_by_SFTP_with_its_times_and_modes()
    {
        var source = MakeTree(_local.CreateSubdirectory("source"));
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var sftp = Hops.Sftp(Lab, "target-password", jumper);
        await sftp.ConnectAsync(TestContext.Current.CancellationToken);
        var remote = $"pj-tree-{Guid.NewGuid():N}";
        var uploaded = new List<string>();
        var downloaded = new List<string>();
        try
        {
            await Task.Run(() => sftp.UploadDirectory(source.FullName, remote, (path, _) => uploaded.Add(path)), TestContext.Current.CancellationToken);
            var back = new DirectoryInfo(Path.Combine(_local.FullName, "back"));
            await Task.Run(() => sftp.DownloadDirectory(remote, back.FullName, (path, _) => downloaded.Add(path)), TestContext.Current.CancellationToken);

            Assert.Equal(Describe(source), Describe(back));
            Assert.Equal(4, uploaded.Count);
            Assert.Equal(4, downloaded.Count);
            var script = sftp.GetAttributes($"{remote}/bin/run.sh");
            Assert.True(script.OwnerCanExecute && !script.OthersCanWrite);
            Assert.Equal(new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc), script.LastWriteTimeUtc);
        }
        finally
        {
            using var shell = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
            Hops.Run(shell, $"chmod -R u+rwx {remote}; rm -rf {remote}");
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Symbolic_links_are_skipped_both_ways_by_SFTP_directory_transfers()
    {
        // Every link points inside this test's own folder: Dispose walks it (following links) to reset modes.
        var source = _local.CreateSubdirectory("linked");
        var elsewhere = _local.CreateSubdirectory("elsewhere");
        File.WriteAllText(Path.Combine(source.FullName, "real.txt"), "real\n");
        File.WriteAllText(Path.Combine(elsewhere.FullName, "outside.txt"), "outside\n");
        var links = new FileSystemInfo[]
        {
            File.CreateSymbolicLink(Path.Combine(source.FullName, "link.txt"), "real.txt"),
            Directory.CreateSymbolicLink(Path.Combine(source.FullName, "dir-link"), elsewhere.FullName),
        };
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var sftp = Hops.Sftp(Lab, "target-password", jumper);
        await sftp.ConnectAsync(TestContext.Current.CancellationToken);
        using var shell = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
        var up = $"pj-links-up-{Guid.NewGuid():N}";
        var down = $"pj-links-down-{Guid.NewGuid():N}";
        Hops.Run(shell, $"mkdir {down} {down}-elsewhere && echo real > {down}/real && echo outside > {down}-elsewhere/outside && ln -s real {down}/link && ln -s ../{down}-elsewhere {down}/dir-link");
        try
        {
            await Task.Run(() => sftp.UploadDirectory(source.FullName, up), TestContext.Current.CancellationToken);
            var back = Path.Combine(_local.FullName, "back");
            await Task.Run(() => sftp.DownloadDirectory(down, back), TestContext.Current.CancellationToken);

            Assert.Equal("real.txt", Hops.Run(shell, $"ls -A {up}").Trim());
            Assert.Equal(["real"], Directory.EnumerateFileSystemEntries(back).Select(Path.GetFileName));
        }
        finally
        {
            Hops.Run(shell, $"rm -rf {up} {down} {down}-elsewhere");
            foreach (var link in links)
            {
                link.Delete();
            }
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task A_directory_tree_goes_up_and_down_by_SCP_with_its_times()
    {
        var source = MakeTree(_local.CreateSubdirectory("source"), readOnlyDirectory: false);
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var scp = Hops.Scp(Lab, "target-password", jumper);
        await scp.ConnectAsync(TestContext.Current.CancellationToken);
        using var shell = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper));
        var remote = $"pj-tree-{Guid.NewGuid():N}";
        Hops.Run(shell, $"mkdir {remote}");
        try
        {
            await Task.Run(() => scp.Upload(source, remote), TestContext.Current.CancellationToken);
            var back = _local.CreateSubdirectory("back");
            await Task.Run(() => scp.Download(remote, back), TestContext.Current.CancellationToken);

            // SSH.NET's SCP keeps file times both ways, but sends every file as 0644, keeps no mode on the way down, and
            // sets a downloaded directory's time before writing into it.
            Assert.Equal(Describe(source, modes: false, filesOnly: true), Describe(back, modes: false, filesOnly: true));
            Assert.Equal("644 981173106", Hops.Run(shell, $"stat -c '%a %Y' {remote}/bin/run.sh"));
        }
        finally
        {
            Hops.Run(shell, $"rm -rf {remote}");
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Progress_is_reported_for_SFTP_and_SCP_transfers_up_to_the_whole_size()
    {
        const long size = 24 * MiB;
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var sftp = Hops.Sftp(Lab, "target-password", jumper);
        await sftp.ConnectAsync(TestContext.Current.CancellationToken);
        using var scp = Hops.Scp(Lab, "target-password", jumper);
        await scp.ConnectAsync(TestContext.Current.CancellationToken);
        var path = $"pj-progress-{Guid.NewGuid():N}.bin";
        var callback = new ProgressLog();
        var progress = new ProgressLog();
        var scpUp = new ProgressLog();
        var scpDown = new ProgressLog();
        scp.Uploading += (_, e) => scpUp.Add((ulong)e.Uploaded);
        scp.Downloading += (_, e) => scpDown.Add((ulong)e.Downloaded);
        try
        {
            await Task.Run(
                () =>
                {
                    using var data = TransferData.Open(size);
                    sftp.UploadFile(data, path, callback.Add);
                },
                TestContext.Current.CancellationToken);
            using var sink = new TransferData.HashingSink();
            await sftp.DownloadFileAsync(path, sink, progress, TestContext.Current.CancellationToken);
            await Task.Run(
                () =>
                {
                    using var data = TransferData.Open(size);
                    scp.Upload(data, path);
                    scp.Download(path, Stream.Null);
                },
                TestContext.Current.CancellationToken);

            // SSH.NET reports SFTP callbacks on the thread pool, so the last one may land just after the call returns.
            await callback.WaitForAsync((ulong)size);
            await progress.WaitForAsync((ulong)size);
            foreach (var log in new[] { callback, progress, scpUp, scpDown })
            {
                Assert.True(log.Count > 10, $"only {log.Count} progress reports");
                Assert.Equal((ulong)size, log.Max);
            }

            Assert.True(scpUp.IsRising && scpDown.IsRising);
        }
        finally
        {
            sftp.DeleteFile(path);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task An_upload_killed_by_a_dropped_jump_resumes_from_what_arrived_and_ends_intact()
    {
        const long size = 192 * MiB;
        var path = $"pj-resume-{Guid.NewGuid():N}.bin";
        long cutAt;
        using (var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab)))
        using (var sftp = Hops.Sftp(Lab, "target-password", jumper))
        {
            await sftp.ConnectAsync(TestContext.Current.CancellationToken);
            var reported = new ProgressLog();
            using var data = TransferData.Open(size);
            var upload = Task.Run(() => sftp.UploadFile(data, path, reported.Add), TestContext.Current.CancellationToken);
            await reported.WaitForAsync(32 * MiB);

            // Kill the jump's session process on the bastion: the connection drops as when a bastion reboots.
            KillSessionOf(jumper);
            var error = await Assert.ThrowsAnyAsync<SshException>(() => upload);
            cutAt = (long)reported.Max;

            Assert.Same(sftp.Hop, error.Failure().Hop);
            Assert.True(cutAt < size, "the upload finished before the jump was killed");
        }

        using var again = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var resumed = Hops.Sftp(Lab, "target-password", again);
        await resumed.ConnectAsync(TestContext.Current.CancellationToken);
        using var shell = await Hops.ConnectAsync(Hops.PasswordTarget(Lab, again));
        try
        {
            var partial = resumed.GetAttributes(path).Size;
            var afterResume = new ProgressLog();
            await Task.Run(
                () =>
                {
                    using var data = TransferData.Open(size);
                    resumed.ResumeUploadFile(data, path, afterResume.Add);
                },
                TestContext.Current.CancellationToken);

            Assert.InRange(partial, cutAt, size - 1);
            Assert.True(afterResume.Min > (ulong)partial, "the resumed upload started from the beginning");
            Assert.Equal(TransferData.Sha256Of(size), Hops.Run(shell, $"sha256sum {path} | cut -d' ' -f1"));
        }
        finally
        {
            Hops.Run(shell, $"rm -f {path}");
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task An_SFTP_upload_whose_middle_hop_dies_ends_in_a_typed_error_and_leaves_a_partial_file()
    {
        const long size = 512 * MiB;
        var path = $"pj-cut-{Guid.NewGuid():N}.bin";
        var reported = new ProgressLog();
        SshException error;
        using (var circuit = await Hops.CircuitAsync(Lab, 2))
        using (var sftp = Hops.Sftp(Lab, "hop3", circuit[1]))
        {
            await sftp.ConnectAsync(TestContext.Current.CancellationToken);
            using var data = TransferData.Open(size);
            var upload = Task.Run(() => sftp.UploadFile(data, path, reported.Add), TestContext.Current.CancellationToken);
            await reported.WaitForAsync(16 * MiB);

            var watch = KillSessionOf(circuit[1]);
            error = await Assert.ThrowsAnyAsync<SshException>(() => upload);

            Assert.True(watch.Elapsed < Prompt, $"the upload took {watch.Elapsed} to fail");
            Assert.Same(sftp.Hop, error.Failure().Hop);
            Assert.Equal(HopStage.Session, error.Failure().Stage);
            Assert.IsType<JumpNotConnectedException>(error);
            Assert.Contains("pjhop@hop2.pjlab:22", error.Message, StringComparison.Ordinal);
        }

        var partial = await RemoteSizeAsync("hop3", path, delete: true);
        Assert.InRange(partial, 16 * MiB, size - 1);
        Assert.True(reported.Max < (ulong)size);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_SFTP_download_whose_middle_hop_dies_ends_in_a_typed_error_and_never_reports_the_whole_file()
    {
        const long size = 512 * MiB;
        var path = $"pj-cut-{Guid.NewGuid():N}.bin";
        var local = new FileInfo(Path.Combine(_local.FullName, "partial.bin"));
        var reported = new ProgressLog();
        using (var circuit = await Hops.CircuitAsync(Lab, 3))
        using (var sftp = Hops.Sftp(Lab, "hop3", circuit[1]))
        {
            Hops.Run(circuit[2], $"head -c {size} /dev/zero > {path}");
            await sftp.ConnectAsync(TestContext.Current.CancellationToken);
            var download = Task.Run(
                () =>
                {
                    using var file = local.Create();
                    sftp.DownloadFile(path, file, reported.Add);
                },
                TestContext.Current.CancellationToken);
            await reported.WaitForAsync(16 * MiB);

            var watch = KillSessionOf(circuit[1]);
            var error = await Assert.ThrowsAnyAsync<SshException>(() => download);

            Assert.True(watch.Elapsed < Prompt, $"the download took {watch.Elapsed} to fail");
            Assert.Same(sftp.Hop, error.Failure().Hop);
            Assert.IsType<JumpNotConnectedException>(error);
        }

        local.Refresh();
        Assert.InRange(local.Length, 16 * MiB, size - 1);
        Assert.True(reported.Max < (ulong)size);
        await RemoteSizeAsync("hop3", path, delete: true);
    }

    [Fact(Timeout = 120_000)]
    public async Task SCP_transfers_whose_middle_hop_dies_end_in_typed_errors_instead_of_hanging()
    {
        const long size = 512 * MiB;
        var path = $"pj-cut-{Guid.NewGuid():N}.bin";
        var local = new FileInfo(Path.Combine(_local.FullName, "partial.bin"));
        var partialUpload = -1L;
        foreach (var upward in new[] { true, false })
        {
            var reported = new ProgressLog();
            using var circuit = await Hops.CircuitAsync(Lab, 3);
            using var scp = Hops.Scp(Lab, "hop3", circuit[1]);
            await scp.ConnectAsync(TestContext.Current.CancellationToken);
            if (!upward)
            {
                Hops.Run(circuit[2], $"head -c {size} /dev/zero > {path}");
            }

            scp.Uploading += (_, e) => reported.Add((ulong)e.Uploaded);
            scp.Downloading += (_, e) => reported.Add((ulong)e.Downloaded);
            var transfer = Task.Run(
                () =>
                {
                    using var data = TransferData.Open(size);
                    if (upward)
                    {
                        scp.Upload(data, path);
                    }
                    else
                    {
                        scp.Download(path, local);
                    }
                },
                TestContext.Current.CancellationToken);
            await reported.WaitForAsync(16 * MiB);

            var watch = KillSessionOf(circuit[1]);
            var error = await Assert.ThrowsAnyAsync<SshException>(() => transfer);

            Assert.True(watch.Elapsed < Prompt, $"the {(upward ? "upload" : "download")} took {watch.Elapsed} to fail");
            Assert.Same(scp.Hop, error.Failure().Hop);
            Assert.IsType<JumpNotConnectedException>(error);
            Assert.True(reported.Max < (ulong)size);
            if (upward)
            {
                partialUpload = await RemoteSizeAsync("hop3", path, delete: false);
            }
        }

        local.Refresh();
        Assert.InRange(local.Length, 1, size - 1);
        Assert.InRange(partialUpload, 1, size - 1);
        await RemoteSizeAsync("hop3", path, delete: true);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_MFA_target_behind_a_jump_opens_SFTP_and_SCP_with_the_handler_asked_again()
    {
        var bastion = Lab["bastion"];
        var secrets = bastion.Credentials("pjmfa");
        var code = secrets.Totp();
        var handler = new MagicAuthHandler([secrets.Password!], [code], [secrets.Password!], [code], [secrets.Password!], [code]);
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));

        // The password + TOTP bastion is itself the target here, reached through the password bastion beside it.
        using var target = await Hops.ConnectAsync(new SshJumpClient(knownHosts: Hops.KnownHostsOf(Lab), hostname: bastion.Address, port: bastion.Port,
            username: "pjmfa", authHandler: handler, lookForKeys: false, allowAgent: false, jumpSession: jumper));
        using var sftp = target.OpenSftp();
        using var scp = await target.OpenScpAsync(TestContext.Current.CancellationToken);
        var path = $"pj-mfa-{Guid.NewGuid():N}.txt";
        try
        {
            sftp.UploadFile(new MemoryStream("through MFA\n"u8.ToArray()), path);
            using var back = new MemoryStream();
            scp.Download(path, back);

            Assert.Equal("through MFA\n", System.Text.Encoding.UTF8.GetString(back.ToArray()));
            Assert.Equal(0, handler.RemainingRounds);
            Assert.Equal(target.Hop.ToString(), sftp.Hop.ToString());
            Assert.Same(jumper, sftp.JumpSession);
            Assert.Same(target.HostKeys, sftp.HostKeys);
        }
        finally
        {
            sftp.DeleteFile(path);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task OpenSftp_keeps_the_ConnectionInfo_a_target_was_built_from()
    {
        var server = Lab["target-password"];
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        var info = new ConnectionInfo(server.Host, server.Port, server.User, new PasswordAuthenticationMethod(server.User, server.Credentials().Password));
        using var target = new SshJumpClient(info, jumper, knownHosts: Hops.KnownHostsOf(Lab));
        await target.ConnectAsync(TestContext.Current.CancellationToken);

        using var sftp = await target.OpenSftpAsync(TestContext.Current.CancellationToken);

        Assert.Equal($"/home/{server.User}", sftp.WorkingDirectory);
        Assert.Equal(target.Hop.ToString(), sftp.Hop.ToString());
    }

    [Fact(Timeout = 60_000)]
    public async Task OpenSftp_on_a_client_that_is_not_connected_says_so()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var target = Hops.PasswordTarget(Lab, jumper);

        var error = Assert.Throws<HopConnectionException>(() => target.OpenSftp());

        Assert.Contains("call Connect() before OpenSftp", error.Message, StringComparison.Ordinal);
        Assert.Single(jumper.ForwardedPorts); // the target's own; OpenSftp opened none
    }

    [Fact(Timeout = 60_000)]
    public async Task A_missing_remote_file_is_SSH_NETs_own_error_and_the_client_stays_usable()
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var sftp = Hops.Sftp(Lab, "target-password", jumper);
        await sftp.ConnectAsync(TestContext.Current.CancellationToken);

        Assert.Throws<SftpPathNotFoundException>(() => sftp.DownloadFile("no-such-file", Stream.Null));
        Assert.True(sftp.Exists("."));
    }

    /// <summary>Kills the sshd session process behind <paramref name="client"/>, as when that hop reboots.</summary>
    private static Stopwatch KillSessionOf(SshJumpClient client)
    {
        var watch = Stopwatch.StartNew();
        Hops.KillServerSession(client);
        return watch;
    }

    /// <summary>The size of a file on a hop of the circuit, through a fresh chain.</summary>
    private async Task<long> RemoteSizeAsync(string id, string path, bool delete)
    {
        var number = int.Parse(id["hop".Length..], System.Globalization.CultureInfo.InvariantCulture);
        using var circuit = await Hops.CircuitAsync(Lab, number);
        var size = long.Parse(Hops.Run(circuit[^1], $"stat -c %s {path} 2>/dev/null || echo 0"), System.Globalization.CultureInfo.InvariantCulture);
        if (delete)
        {
            Hops.Run(circuit[^1], $"rm -f {path}");
        }

        return size;
    }

    /// <summary>
    /// A tree of four files in nested directories, with set times and modes: an executable script, a private key-like
    /// file, an empty file, and (unless told otherwise) a read-only directory.
    /// </summary>
    private static DirectoryInfo MakeTree(DirectoryInfo root, bool readOnlyDirectory = true)
    {
        var bin = root.CreateSubdirectory("bin");
        var deep = root.CreateSubdirectory("etc/deep");
        var frozen = root.CreateSubdirectory("frozen");
        Write(Path.Combine(bin.FullName, "run.sh"), "#!/bin/sh\necho hi\n", "755", new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        Write(Path.Combine(deep.FullName, "secret.key"), "not really a key\n", "600", new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Write(Path.Combine(deep.FullName, "empty"), "", "640", new DateTime(2020, 6, 7, 8, 9, 10, DateTimeKind.Utc));
        Write(Path.Combine(frozen.FullName, "notes.txt"), "read only\n", "444", new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Utc));
        foreach (var (directory, mode, time) in new[]
        {
            (deep, "750", new DateTime(2015, 5, 5, 5, 5, 5, DateTimeKind.Utc)),
            (deep.Parent!, "755", new DateTime(2016, 6, 6, 6, 6, 6, DateTimeKind.Utc)),
            (bin, "755", new DateTime(2017, 7, 7, 7, 7, 7, DateTimeKind.Utc)),
            (frozen, readOnlyDirectory ? "555" : "755", new DateTime(2018, 8, 8, 8, 8, 8, DateTimeKind.Utc)),
        })
        {
            File.SetUnixFileMode(directory.FullName, Mode(mode));
            directory.LastWriteTimeUtc = time;
        }

        return root;

        static void Write(string path, string text, string mode, DateTime time)
        {
            File.WriteAllText(path, text);
            File.SetUnixFileMode(path, Mode(mode));
            File.SetLastWriteTimeUtc(path, time);
        }
    }

    private static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    /// <summary>Every entry under <paramref name="root"/>: relative path, size, modification time and (optionally) mode.</summary>
    private static List<string> Describe(DirectoryInfo root, bool modes = true, bool filesOnly = false) =>
        root.EnumerateFileSystemInfos("*", SearchOption.AllDirectories)
            .Where(e => !filesOnly || e is FileInfo)
            .Select(e => $"{Path.GetRelativePath(root.FullName, e.FullName)} {(e is FileInfo f ? f.Length : -1)} {e.LastWriteTimeUtc:O}"
                + (modes ? " " + Convert.ToString((int)File.GetUnixFileMode(e.FullName), 8) : ""))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Progress reports from any thread, with a way to wait for one to reach a value.</summary>
    private sealed class ProgressLog : IProgress<DownloadFileProgressReport>
    {
        private readonly List<ulong> _values = [];

        public int Count
        {
            get
            {
                lock (_values)
                {
                    return _values.Count;
                }
            }
        }

        public ulong Max
        {
            get
            {
                lock (_values)
                {
                    return _values.Count == 0 ? 0 : _values.Max();
                }
            }
        }

        public ulong Min
        {
            get
            {
                lock (_values)
                {
                    return _values.Count == 0 ? 0 : _values.Min();
                }
            }
        }

        public bool IsRising
        {
            get
            {
                lock (_values)
                {
                    return _values.Zip(_values.Skip(1)).All(p => p.First <= p.Second);
                }
            }
        }

        public void Add(ulong value)
        {
            lock (_values)
            {
                _values.Add(value);
            }
        }

        public void Report(DownloadFileProgressReport value) => Add(value.TotalBytesDownloaded);

        public async Task WaitForAsync(ulong value)
        {
            var deadline = Stopwatch.StartNew();
            while (Max < value)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"progress stayed at {Max} of the {value} awaited");
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }
        }
    }
}
