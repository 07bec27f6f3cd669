using System.Text;
using System.Text.RegularExpressions;
using Renci.SshNet.Sftp;

namespace ParamikoJump.IntegrationTests.Parity;

/// <summary>
/// Every public <see cref="SftpClient"/> operation, sync and async, with its failures: each body runs on SSH.NET's
/// plain <see cref="SftpClient"/> straight to parity-direct and on <see cref="SftpJumpClient"/> (held as
/// <see cref="SftpClient"/>, as code written for SSH.NET holds it) through a jump to parity-target, and asserts the
/// same results and the same exception types and messages on both. <see cref="ParityCoverageTests"/> fails when an
/// operation has no case here.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class ParitySftpTests(LabFixture fixture, ParityJump jump) : IClassFixture<ParityJump>
{
    /// <summary>OpenSSH sftp-server's text for SSH_FX_NO_SUCH_FILE, which SSH.NET makes the message.</summary>
    private const string NoSuchFile = "No such file";

    /// <summary>OpenSSH sftp-server's text for SSH_FX_PERMISSION_DENIED.</summary>
    private const string PermissionDenied = "Permission denied";

    /// <summary>Not writable by the parity user.</summary>
    private const string Denied = "/etc/parity-denied";

    /// <summary>Not readable by the parity user (mode 0700, root's).</summary>
    private const string Unreadable = "/root";

    public static TheoryData<Route> Routes => [Route.Plain, Route.Jump];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A connected SFTP client in a fresh directory of the parity user's home; the directory goes with it.</summary>
    private async Task<Workspace> WorkspaceAsync(Route route)
    {
        var side = await jump.SideAsync(fixture.Lab, route);
        var sftp = side.Sftp(side.AnyUser());
        ParitySide.Connect(sftp);
        var dir = $"{sftp.WorkingDirectory}/parity-{Guid.NewGuid():N}";
        sftp.CreateDirectory(dir);
        return new Workspace(side, sftp, dir);
    }

    /// <summary>Fails with exactly this type and the server's <paramref name="text"/> (SSH.NET adds the path it was given, the same on both routes).</summary>
    private static void Fails<TException>(string text, Action action)
        where TException : Exception
    {
        var error = Assert.Throws<TException>(action);
        Assert.Equal(text, WithoutPath(error.Message));
    }

    private static async Task FailsAsync<TException>(string text, Func<Task> action)
        where TException : Exception
    {
        var error = await Assert.ThrowsAsync<TException>(action);
        Assert.Equal(text, WithoutPath(error.Message));
    }

    private static string WithoutPath(string message) => Regex.Replace(message, @"\. Path: '[^']*'\.?$", string.Empty);

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    [ParityCovers(typeof(SftpClient), nameof(SftpClient.CreateDirectory), nameof(SftpClient.CreateDirectoryAsync), nameof(SftpClient.ChangeDirectory),
        nameof(SftpClient.ChangeDirectoryAsync), nameof(SftpClient.WorkingDirectory), nameof(SftpClient.ListDirectory), nameof(SftpClient.ListDirectoryAsync),
        nameof(SftpClient.BeginListDirectory), nameof(SftpClient.EndListDirectory), nameof(SftpClient.Exists), nameof(SftpClient.ExistsAsync),
        nameof(SftpClient.DeleteDirectory), nameof(SftpClient.DeleteDirectoryAsync))]
    public async Task Directories_listing_and_their_failures(Route route)
    {
        using var work = await WorkspaceAsync(route);
        var sftp = work.Sftp;

        sftp.CreateDirectory(work.In("sync"));
        await sftp.CreateDirectoryAsync(work.In("async"), Token);
        sftp.ChangeDirectory(work.In("sync"));
        var inSync = sftp.WorkingDirectory;
        await sftp.ChangeDirectoryAsync(work.Dir, Token);
        var counted = new List<int>();
        var listed = sftp.ListDirectory(work.Dir, counted.Add).Select(f => f.Name).Order().ToList();
        var listedAsync = await sftp.ListDirectoryAsync(work.Dir, Token).Select(f => f.Name).Order().ToListAsync(Token);
        var listedBegun = sftp.EndListDirectory(sftp.BeginListDirectory(work.Dir, null, null)).Select(f => f.Name).Order().ToList();

        Assert.Equal(work.In("sync"), inSync);
        Assert.Equal(work.Dir, sftp.WorkingDirectory);
        Assert.Equal([".", "..", "async", "sync"], listed);
        Assert.Equal(listed, listedAsync);
        Assert.Equal(listed, listedBegun);
        Assert.Equal(4, counted.Last());
        Assert.True(sftp.Exists(work.In("sync")));
        Assert.True(await sftp.ExistsAsync(work.In("async"), Token));
        Assert.False(sftp.Exists(work.In("missing")));
        Assert.False(await sftp.ExistsAsync(work.In("missing"), Token));

        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.ChangeDirectory(work.In("missing")));
        await FailsAsync<SftpPathNotFoundException>(NoSuchFile, () => sftp.ChangeDirectoryAsync(work.In("missing"), Token));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => _ = sftp.ListDirectory(work.In("missing")).ToList());
        await FailsAsync<SftpPathNotFoundException>(NoSuchFile, async () => await sftp.ListDirectoryAsync(work.In("missing"), Token).ToListAsync(Token));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.EndListDirectory(sftp.BeginListDirectory(work.In("missing"), null, null)));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => _ = sftp.ListDirectory(Unreadable).ToList());
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.CreateDirectory(Denied));
        await FailsAsync<SftpPermissionDeniedException>(PermissionDenied, () => sftp.CreateDirectoryAsync(Denied, Token));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.DeleteDirectory(work.In("missing")));
        await FailsAsync<SftpPathNotFoundException>(NoSuchFile, () => sftp.DeleteDirectoryAsync(work.In("missing"), Token));

        sftp.DeleteDirectory(work.In("sync"));
        await sftp.DeleteDirectoryAsync(work.In("async"), Token);
        Assert.False(sftp.Exists(work.In("sync")));
        Assert.False(sftp.Exists(work.In("async")));
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    [ParityCovers(typeof(SftpClient), nameof(SftpClient.WriteAllBytes), nameof(SftpClient.WriteAllLines), nameof(SftpClient.WriteAllText),
        nameof(SftpClient.ReadAllBytes), nameof(SftpClient.ReadAllLines), nameof(SftpClient.ReadAllText), nameof(SftpClient.ReadLines),
        nameof(SftpClient.AppendAllLines), nameof(SftpClient.AppendAllText), nameof(SftpClient.AppendText), nameof(SftpClient.CreateText),
        nameof(SftpClient.OpenText))]
    public async Task Whole_file_reads_and_writes_and_their_failures(Route route)
    {
        using var work = await WorkspaceAsync(route);
        var sftp = work.Sftp;
        var latin1 = Encoding.Latin1;

        sftp.WriteAllBytes(work.In("bytes"), [1, 2, 3]);
        sftp.WriteAllLines(work.In("lines"), (IEnumerable<string>)["a", "b"]);
        sftp.WriteAllLines(work.In("lines-array"), ["c", "d"]);
        sftp.WriteAllLines(work.In("lines-latin1"), (IEnumerable<string>)["é"], latin1);
        sftp.WriteAllLines(work.In("lines-array-latin1"), ["ü"], latin1);
        sftp.WriteAllText(work.In("text"), "hello");
        sftp.WriteAllText(work.In("text-latin1"), "ß", latin1);
        sftp.AppendAllLines(work.In("lines"), ["e"]);
        sftp.AppendAllLines(work.In("lines-latin1"), ["ö"], latin1);
        sftp.AppendAllText(work.In("text"), " world");
        sftp.AppendAllText(work.In("text-latin1"), "ä", latin1);
        using (var writer = sftp.AppendText(work.In("text")))
        {
            writer.Write("!");
        }

        using (var writer = sftp.AppendText(work.In("text-latin1"), latin1))
        {
            writer.Write("à");
        }

        using (var writer = sftp.CreateText(work.In("created")))
        {
            writer.Write("new");
        }

        using (var writer = sftp.CreateText(work.In("created-latin1"), latin1))
        {
            writer.Write("ç");
        }

        using (var reader = sftp.OpenText(work.In("created")))
        {
            Assert.Equal("new", reader.ReadToEnd());
        }

        Assert.Equal([1, 2, 3], sftp.ReadAllBytes(work.In("bytes")));
        Assert.Equal(["a", "b", "e"], sftp.ReadAllLines(work.In("lines")));
        Assert.Equal(["c", "d"], sftp.ReadLines(work.In("lines-array")));
        Assert.Equal(["é", "ö"], sftp.ReadAllLines(work.In("lines-latin1"), latin1));
        Assert.Equal(["ü"], sftp.ReadLines(work.In("lines-array-latin1"), latin1));
        Assert.Equal("hello world!", sftp.ReadAllText(work.In("text")));
        Assert.Equal("ßäà", sftp.ReadAllText(work.In("text-latin1"), latin1));
        Assert.Equal("ç", sftp.ReadAllText(work.In("created-latin1"), latin1));
        Assert.Single(sftp.ReadAllBytes(work.In("created-latin1"))); // one Latin-1 byte, not UTF-8's two

        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.ReadAllBytes(work.In("missing")));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.ReadAllText(work.In("missing")));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.ReadAllLines(work.In("missing")));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => _ = sftp.ReadLines(work.In("missing")).ToList());
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.OpenText(work.In("missing")).Dispose());
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.WriteAllText(work.In("missing/file"), "x"));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.WriteAllBytes(Denied, [1]));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.WriteAllText(Denied, "x"));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.WriteAllLines(Denied, ["x"]));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.AppendAllText(Denied, "x"));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.AppendAllLines(Denied, ["x"]));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.AppendText(Denied).Dispose());
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.CreateText(Denied).Dispose());
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.ReadAllBytes("/etc/shadow"));
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    [ParityCovers(typeof(SftpClient), nameof(SftpClient.Create), nameof(SftpClient.Open), nameof(SftpClient.OpenAsync), nameof(SftpClient.OpenRead),
        nameof(SftpClient.OpenWrite))]
    public async Task File_streams_and_their_failures(Route route)
    {
        using var work = await WorkspaceAsync(route);
        var sftp = work.Sftp;

        using (var created = sftp.Create(work.In("a")))
        {
            created.Write("abc"u8);
        }

        using (var created = sftp.Create(work.In("b"), 1024))
        {
            created.Write("def"u8);
        }

        using (var opened = sftp.Open(work.In("a"), FileMode.OpenOrCreate))
        {
            opened.Seek(0, SeekOrigin.End);
            opened.Write("+"u8);
        }

        using (var opened = sftp.Open(work.In("c"), FileMode.CreateNew, FileAccess.Write))
        {
            opened.Write("ghi"u8);
        }

        await using (var opened = await sftp.OpenAsync(work.In("b"), FileMode.Open, FileAccess.ReadWrite, Token))
        {
            opened.Seek(0, SeekOrigin.End);
            await opened.WriteAsync("+"u8.ToArray(), Token);
        }

        using (var writer = sftp.OpenWrite(work.In("c")))
        {
            writer.Write("G"u8);
        }

        using var read = new StreamReader(sftp.OpenRead(work.In("a")));
        Assert.Equal("abc+", read.ReadToEnd());
        Assert.Equal("def+", sftp.ReadAllText(work.In("b")));
        Assert.Equal("Ghi", sftp.ReadAllText(work.In("c")));

        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.OpenRead(work.In("missing")).Dispose());
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.Open(work.In("missing"), FileMode.Open).Dispose());
        await FailsAsync<SftpPathNotFoundException>(NoSuchFile, async () => await (await sftp.OpenAsync(work.In("missing"), FileMode.Open, FileAccess.Read, Token)).DisposeAsync());
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.Create(work.In("missing/file")).Dispose());
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.Create(Denied).Dispose());
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.Create(Denied, 1024).Dispose());
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.OpenWrite(Denied).Dispose());
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.Open("/etc/passwd", FileMode.Open, FileAccess.Write).Dispose());
        await FailsAsync<SftpPermissionDeniedException>(PermissionDenied, async () => await (await sftp.OpenAsync("/etc/shadow", FileMode.Open, FileAccess.Read, Token)).DisposeAsync());
        var exists = Assert.ThrowsAny<SshException>(() => sftp.Open(work.In("a"), FileMode.CreateNew).Dispose());
        Assert.Equal(typeof(SftpException), exists.GetType());
        Assert.Equal("Failure", WithoutPath(exists.Message));
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    [ParityCovers(typeof(SftpClient), nameof(SftpClient.UploadFile), nameof(SftpClient.UploadFileAsync), nameof(SftpClient.DownloadFile),
        nameof(SftpClient.DownloadFileAsync), nameof(SftpClient.BeginUploadFile), nameof(SftpClient.EndUploadFile), nameof(SftpClient.BeginDownloadFile),
        nameof(SftpClient.EndDownloadFile))]
    public async Task Uploads_downloads_and_their_failures(Route route)
    {
        using var work = await WorkspaceAsync(route);
        var sftp = work.Sftp;
        var data = Enumerable.Range(0, 300_000).Select(i => (byte)i).ToArray();
        MemoryStream Data() => new(data);

        var uploaded = new System.Collections.Concurrent.ConcurrentBag<ulong>();
        sftp.UploadFile(Data(), work.In("1"), uploaded.Add);
        sftp.UploadFile(Data(), work.In("2"), canOverride: false);
        await sftp.UploadFileAsync(Data(), work.In("3"), Token);
        await sftp.UploadFileAsync(Data(), work.In("4"), new Progress<UploadFileProgressReport>(), Token);
        await sftp.UploadFileAsync(Data(), work.In("5"), canOverride: true, null, Token);
        sftp.EndUploadFile(sftp.BeginUploadFile(Data(), work.In("6")));
        sftp.EndUploadFile(sftp.BeginUploadFile(Data(), work.In("7"), null));
        sftp.EndUploadFile(sftp.BeginUploadFile(Data(), work.In("8"), null, null));
        sftp.EndUploadFile(sftp.BeginUploadFile(Data(), work.In("9"), canOverride: false, null, null));

        var downloads = new List<byte[]>();
        foreach (var name in Enumerable.Range(1, 9).Select(i => work.In($"{i}")))
        {
            using var sync = new MemoryStream();
            using var async = new MemoryStream();
            using var asyncWithProgress = new MemoryStream();
            using var begun = new MemoryStream();
            using var begunWithCallback = new MemoryStream();
            using var begunWithProgress = new MemoryStream();
            sftp.DownloadFile(name, sync);
            await sftp.DownloadFileAsync(name, async, Token);
            await sftp.DownloadFileAsync(name, asyncWithProgress, new Progress<DownloadFileProgressReport>(), Token);
            sftp.EndDownloadFile(sftp.BeginDownloadFile(name, begun));
            sftp.EndDownloadFile(sftp.BeginDownloadFile(name, begunWithCallback, null));
            sftp.EndDownloadFile(sftp.BeginDownloadFile(name, begunWithProgress, null, null, null));
            downloads.AddRange([sync.ToArray(), async.ToArray(), asyncWithProgress.ToArray(), begun.ToArray(), begunWithCallback.ToArray(), begunWithProgress.ToArray()]);
        }

        // The callbacks run on the pool, in no set order, and the last may still be on its way when the upload returns.
        Assert.True(SpinWait.SpinUntil(() => uploaded.Contains((ulong)data.Length), TimeSpan.FromSeconds(10)), $"upload callbacks saw up to {uploaded.DefaultIfEmpty().Max()}");
        Assert.All(downloads, download => Assert.Equal(data, download));

        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.DownloadFile(work.In("missing"), Stream.Null));
        await FailsAsync<SftpPathNotFoundException>(NoSuchFile, () => sftp.DownloadFileAsync(work.In("missing"), Stream.Null, Token));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.EndDownloadFile(sftp.BeginDownloadFile(work.In("missing"), Stream.Null)));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.DownloadFile("/etc/shadow", Stream.Null));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.UploadFile(Data(), work.In("missing/file")));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.UploadFile(Data(), Denied));
        await FailsAsync<SftpPermissionDeniedException>(PermissionDenied, () => sftp.UploadFileAsync(Data(), Denied, Token));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.EndUploadFile(sftp.BeginUploadFile(Data(), Denied)));
        var exists = Assert.ThrowsAny<SshException>(() => sftp.UploadFile(Data(), work.In("1"), canOverride: false));
        Assert.Equal(typeof(SftpException), exists.GetType());
        Assert.Equal("Failure", WithoutPath(exists.Message));

        if (sftp is SftpJumpClient declared)
        {
            // The jump client's own transfer methods (what runs when it is declared as itself): same results, same errors.
            using var back = new MemoryStream();
            declared.UploadFile(Data(), work.In("declared"));
            await declared.UploadFileAsync(Data(), work.In("declared-async"), Token);
            declared.DownloadFile(work.In("declared"), back);
            await declared.DownloadFileAsync(work.In("declared-async"), back, Token);
            Assert.Equal(data.Concat(data), back.ToArray());
            Fails<SftpPathNotFoundException>(NoSuchFile, () => declared.DownloadFile(work.In("missing"), Stream.Null));
            await FailsAsync<SftpPathNotFoundException>(NoSuchFile, () => declared.DownloadFileAsync(work.In("missing"), Stream.Null, Token));
            Fails<SftpPermissionDeniedException>(PermissionDenied, () => declared.UploadFile(Data(), Denied));
            await FailsAsync<SftpPermissionDeniedException>(PermissionDenied, () => declared.UploadFileAsync(Data(), Denied, Token));
        }
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    [ParityCovers(typeof(SftpClient), nameof(SftpClient.Get), nameof(SftpClient.GetAsync), nameof(SftpClient.GetAttributes), nameof(SftpClient.GetAttributesAsync),
        nameof(SftpClient.SetAttributes), nameof(SftpClient.GetLastAccessTime), nameof(SftpClient.GetLastAccessTimeUtc), nameof(SftpClient.GetLastWriteTime),
        nameof(SftpClient.GetLastWriteTimeUtc), nameof(SftpClient.SetLastAccessTime), nameof(SftpClient.SetLastAccessTimeUtc), nameof(SftpClient.SetLastWriteTime),
        nameof(SftpClient.SetLastWriteTimeUtc), nameof(SftpClient.ChangePermissions), nameof(SftpClient.GetStatus), nameof(SftpClient.GetStatusAsync))]
    public async Task Attributes_times_permissions_and_their_failures(Route route)
    {
        using var work = await WorkspaceAsync(route);
        var sftp = work.Sftp;
        var file = work.In("f");
        sftp.WriteAllText(file, "12345");
        var then = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        sftp.ChangePermissions(file, 600); // SSH.NET reads the octal digits as written
        sftp.SetLastAccessTimeUtc(file, then);
        sftp.SetLastWriteTimeUtc(file, then.AddDays(1));
        var attributes = sftp.GetAttributes(file);
        attributes.OthersCanRead = true;
        sftp.SetAttributes(file, attributes);

        Assert.Equal(then, sftp.GetLastAccessTimeUtc(file));
        Assert.Equal(then.AddDays(1), sftp.GetLastWriteTimeUtc(file));
        Assert.Equal(then.ToLocalTime(), sftp.GetLastAccessTime(file));
        Assert.Equal(then.AddDays(1).ToLocalTime(), sftp.GetLastWriteTime(file));
        sftp.SetLastAccessTime(file, then.AddDays(2).ToLocalTime());
        sftp.SetLastWriteTime(file, then.AddDays(3).ToLocalTime());
        Assert.Equal(then.AddDays(2), sftp.GetLastAccessTimeUtc(file));
        Assert.Equal(then.AddDays(3), sftp.GetLastWriteTimeUtc(file));
        var entry = sftp.Get(file);
        var entryAsync = await sftp.GetAsync(file, Token);
        var attributesAsync = await sftp.GetAttributesAsync(file, Token);
        Assert.Equal(("f", 5L, true, false, true), (entry.Name, entry.Length, entry.OwnerCanWrite, entry.GroupCanRead, entry.OthersCanRead));
        Assert.Equal((entry.FullName, entry.Length, entry.LastWriteTimeUtc), (entryAsync.FullName, entryAsync.Length, entryAsync.LastWriteTimeUtc));
        Assert.Equal(5, attributesAsync.Size);
        var status = sftp.GetStatus(work.Dir);
        var statusAsync = await sftp.GetStatusAsync(work.Dir, Token);
        Assert.True(status.TotalBlocks > 0);
        Assert.Equal(status.TotalBlocks, statusAsync.TotalBlocks);

        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.Get(work.In("missing")));
        await FailsAsync<SftpPathNotFoundException>(NoSuchFile, () => sftp.GetAsync(work.In("missing"), Token));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.GetAttributes(work.In("missing")));
        await FailsAsync<SftpPathNotFoundException>(NoSuchFile, () => sftp.GetAttributesAsync(work.In("missing"), Token));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.GetLastWriteTimeUtc(work.In("missing")));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.SetLastWriteTimeUtc(work.In("missing"), then));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.ChangePermissions(work.In("missing"), 644));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.GetStatus(work.In("missing")));
        await FailsAsync<SftpPathNotFoundException>(NoSuchFile, () => sftp.GetStatusAsync(work.In("missing"), Token));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.ChangePermissions("/etc/passwd", 777));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.SetLastWriteTimeUtc("/etc/passwd", then));
        var passwd = sftp.GetAttributes("/etc/passwd");
        passwd.OthersCanWrite = true;
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.SetAttributes("/etc/passwd", passwd));
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    [ParityCovers(typeof(SftpClient), nameof(SftpClient.RenameFile), nameof(SftpClient.RenameFileAsync), nameof(SftpClient.SymbolicLink),
        nameof(SftpClient.Delete), nameof(SftpClient.DeleteAsync), nameof(SftpClient.DeleteFile), nameof(SftpClient.DeleteFileAsync))]
    public async Task Renames_links_deletes_and_their_failures(Route route)
    {
        using var work = await WorkspaceAsync(route);
        var sftp = work.Sftp;
        foreach (var name in new[] { "a", "b", "c", "d", "e", "f" })
        {
            sftp.WriteAllText(work.In(name), name);
        }

        sftp.RenameFile(work.In("a"), work.In("a2"));
        sftp.RenameFile(work.In("b"), work.In("c"), isPosix: true);
        await sftp.RenameFileAsync(work.In("d"), work.In("d2"), Token);
        sftp.SymbolicLink(work.In("c"), work.In("link"));

        Assert.Equal("a", sftp.ReadAllText(work.In("a2")));
        Assert.Equal("b", sftp.ReadAllText(work.In("c")));
        Assert.Equal("d", sftp.ReadAllText(work.In("d2")));
        Assert.True(sftp.ListDirectory(work.Dir).Single(f => f.Name == "link").IsSymbolicLink);
        Assert.Equal("b", sftp.ReadAllText(work.In("link")));

        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.RenameFile(work.In("missing"), work.In("x")));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.RenameFile(work.In("missing"), work.In("x"), isPosix: true));
        await FailsAsync<SftpPathNotFoundException>(NoSuchFile, () => sftp.RenameFileAsync(work.In("missing"), work.In("x"), Token));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.RenameFile(work.In("e"), Denied));
        var taken = Assert.ThrowsAny<SshException>(() => sftp.RenameFile(work.In("e"), work.In("f")));
        Assert.Equal(typeof(SftpException), taken.GetType());
        Assert.Equal("Failure", WithoutPath(taken.Message));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.SymbolicLink(work.In("e"), Denied));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.Delete(work.In("missing")));
        await FailsAsync<SftpPathNotFoundException>(NoSuchFile, () => sftp.DeleteAsync(work.In("missing"), Token));
        Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.DeleteFile(work.In("missing")));
        await FailsAsync<SftpPathNotFoundException>(NoSuchFile, () => sftp.DeleteFileAsync(work.In("missing"), Token));
        Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.DeleteFile("/etc/passwd"));
        await FailsAsync<SftpPermissionDeniedException>(PermissionDenied, () => sftp.DeleteAsync("/etc/passwd", Token));

        // SSH.NET removes the canonical path (links resolved): deleting "link" removes its target "c" and leaves the
        // link dangling, on both routes.
        sftp.DeleteFile(work.In("link"));
        sftp.Delete(work.In("a2"));
        await sftp.DeleteFileAsync(work.In("d2"), Token);
        await sftp.DeleteAsync(work.In("e"), Token);
        Assert.Equal(["f", "link"], sftp.ListDirectory(work.Dir).Where(f => !f.IsDirectory).Select(f => f.Name).Order());
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    [ParityCovers(typeof(SftpClient), nameof(SftpClient.SynchronizeDirectories), nameof(SftpClient.BeginSynchronizeDirectories), nameof(SftpClient.EndSynchronizeDirectories))]
    public async Task Synchronizing_directories_and_its_failures(Route route)
    {
        using var work = await WorkspaceAsync(route);
        var sftp = work.Sftp;
        var local = Directory.CreateTempSubdirectory("parity-sync-");
        try
        {
            File.WriteAllText(Path.Combine(local.FullName, "one.txt"), "1");
            File.WriteAllText(Path.Combine(local.FullName, "two.txt"), "2");
            File.WriteAllText(Path.Combine(local.FullName, "skip.bin"), "x");
            sftp.CreateDirectory(work.In("begun"));

            var synced = sftp.SynchronizeDirectories(local.FullName, work.Dir, "*.txt").Select(f => f.Name).Order().ToList();
            var again = sftp.SynchronizeDirectories(local.FullName, work.Dir, "*.txt").ToList();
            var begun = sftp.EndSynchronizeDirectories(sftp.BeginSynchronizeDirectories(local.FullName, work.In("begun"), "*.txt", null, null)).Select(f => f.Name).Order().ToList();

            Assert.Equal(["one.txt", "two.txt"], synced);
            Assert.Empty(again);
            Assert.Equal(synced, begun);
            Assert.Equal("2", sftp.ReadAllText(work.In("begun/two.txt")));
            Assert.False(sftp.Exists(work.In("skip.bin")));

            Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.SynchronizeDirectories(local.FullName, work.In("missing"), "*.txt"));
            Fails<SftpPathNotFoundException>(NoSuchFile, () => sftp.EndSynchronizeDirectories(sftp.BeginSynchronizeDirectories(local.FullName, work.In("missing"), "*", null, null)));
            Fails<SftpPermissionDeniedException>(PermissionDenied, () => sftp.SynchronizeDirectories(local.FullName, Unreadable, "*.txt"));
            Assert.Throws<FileNotFoundException>(() => sftp.SynchronizeDirectories(Path.Combine(local.FullName, "missing"), work.Dir, "*"));
        }
        finally
        {
            local.Delete(recursive: true);
        }
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    [ParityCovers(typeof(SftpClient), nameof(SftpClient.OperationTimeout), nameof(SftpClient.BufferSize), nameof(SftpClient.ProtocolVersion), nameof(SftpClient.IsConnected))]
    public async Task Settings_state_and_calls_on_a_client_not_connected(Route route)
    {
        var side = await jump.SideAsync(fixture.Lab, route);
        using var sftp = side.Sftp(side.AnyUser());
        sftp.OperationTimeout = TimeSpan.FromSeconds(7);
        sftp.BufferSize = 16 * 1024;

        Assert.False(sftp.IsConnected);
        Fails<SshConnectionException>("Client not connected.", () => sftp.ReadAllText("x"));
        Fails<SshConnectionException>("Client not connected.", () => _ = sftp.WorkingDirectory);
        Assert.Throws<SshConnectionException>(() => sftp.ProtocolVersion);

        ParitySide.Connect(sftp);

        Assert.True(sftp.IsConnected);
        Assert.Equal(3, sftp.ProtocolVersion);
        Assert.Equal(TimeSpan.FromSeconds(7), sftp.OperationTimeout);
        Assert.Equal(16u * 1024, sftp.BufferSize);
        Assert.Equal("/home/pjpar-any", sftp.WorkingDirectory);
        sftp.Disconnect();
        Assert.False(sftp.IsConnected);
        Fails<SshConnectionException>("Client not connected.", () => _ = sftp.ListDirectory(".").ToList());
    }

    /// <summary>A connected client and a fresh directory for one test; disposing removes the directory, then the client.</summary>
    private sealed class Workspace(ParitySide side, SftpClient sftp, string dir) : IDisposable
    {
        public ParitySide Side { get; } = side;

        public SftpClient Sftp { get; } = sftp;

        public string Dir { get; } = dir;

        public string In(string name) => $"{Dir}/{name}";

        public void Dispose()
        {
            try
            {
                if (Sftp.IsConnected)
                {
                    using var ssh = Side.Ssh(Side.AnyUser());
                    ParitySide.Connect(ssh);
                    ssh.RunCommand($"rm -rf '{Dir}'");
                }
            }
            finally
            {
                Sftp.Dispose();
            }
        }
    }
}
