using System.Text;

namespace ParamikoJump.IntegrationTests.Parity;

/// <summary>
/// Every public <see cref="ScpClient"/> operation with its failures, on SSH.NET's plain client straight to
/// parity-direct and on <see cref="ScpJumpClient"/> through a jump to parity-target: the same results, the same
/// <see cref="ScpException"/> texts (the server's scp's own words).
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class ParityScpTests(LabFixture fixture, ParityJump jump) : IClassFixture<ParityJump>
{
    public static TheoryData<Route> Routes => [Route.Plain, Route.Jump];

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    [ParityCovers(typeof(ScpClient), nameof(ScpClient.Upload), nameof(ScpClient.Download), nameof(ScpClient.Uploading), nameof(ScpClient.Downloading),
        nameof(ScpClient.BufferSize), nameof(ScpClient.OperationTimeout), nameof(ScpClient.RemotePathTransformation), nameof(ScpClient.UseDirectoryFlag))]
    public async Task Uploads_downloads_their_progress_and_failures(Route route)
    {
        var side = await jump.SideAsync(fixture.Lab, route);
        using var scp = side.Scp(side.AnyUser());
        scp.BufferSize = 8 * 1024;
        scp.OperationTimeout = TimeSpan.FromSeconds(20);
        scp.UseDirectoryFlag = true;
        ParitySide.Connect(scp);
        var remote = $"parity-scp-{Guid.NewGuid():N}";
        var local = Directory.CreateTempSubdirectory("parity-scp-");
        using var ssh = side.Ssh(side.AnyUser());
        ParitySide.Connect(ssh);
        try
        {
            var uploads = new List<long>();
            var downloads = new List<long>();
            scp.Uploading += (_, e) => uploads.Add(e.Uploaded);
            scp.Downloading += (_, e) => downloads.Add(e.Downloaded);
            var data = Encoding.ASCII.GetBytes(new string('x', 20_000));
            var file = new FileInfo(Path.Combine(local.FullName, "file.txt"));
            File.WriteAllBytes(file.FullName, data);
            var tree = local.CreateSubdirectory("tree");
            File.WriteAllText(Path.Combine(tree.FullName, "leaf.txt"), "leaf");
            Assert.Equal(0, ssh.RunCommand($"mkdir {remote}").ExitStatus);

            scp.Upload(new MemoryStream(data), $"{remote}/stream.txt");
            scp.Upload(file, $"{remote}/file.txt");
            scp.Upload(tree, remote);
            using var back = new MemoryStream();
            scp.Download($"{remote}/stream.txt", back);
            var fileBack = new FileInfo(Path.Combine(local.FullName, "back.txt"));
            scp.Download($"{remote}/file.txt", fileBack);
            var treeBack = local.CreateSubdirectory("tree-back");
            scp.Download(remote, treeBack);

            Assert.Equal(data, back.ToArray());
            Assert.Equal(data, File.ReadAllBytes(fileBack.FullName));
            Assert.Equal("leaf", File.ReadAllText(Path.Combine(treeBack.FullName, "leaf.txt")));
            Assert.Equal(data.Length, uploads.Max());
            Assert.Equal(data.Length, downloads.Max());
            Assert.Equal(8u * 1024, scp.BufferSize);
            Assert.Equal(TimeSpan.FromSeconds(20), scp.OperationTimeout);
            Assert.Same(RemotePathTransformation.ShellQuote, scp.RemotePathTransformation);
            Assert.True(scp.UseDirectoryFlag);

            var missing = Assert.Throws<ScpException>(() => scp.Download($"{remote}/missing", Stream.Null));
            Assert.Equal($"scp: {remote}/missing: No such file or directory", missing.Message);
            var missingFile = Assert.Throws<ScpException>(() => scp.Download($"{remote}/missing", new FileInfo(Path.Combine(local.FullName, "never"))));
            Assert.Equal(missing.Message, missingFile.Message);
            var missingTree = Assert.Throws<ScpException>(() => scp.Download($"{remote}/missing", treeBack));
            Assert.Equal(missing.Message, missingTree.Message);
            var denied = Assert.Throws<ScpException>(() => scp.Upload(new MemoryStream(data), "/etc/parity-denied"));
            Assert.Equal("scp: /etc/parity-denied: Permission denied", denied.Message);
            var deniedFile = Assert.Throws<ScpException>(() => scp.Upload(file, "/etc/parity-denied"));
            Assert.Equal(denied.Message, deniedFile.Message);
            var unreadable = Assert.Throws<ScpException>(() => scp.Download("/etc/shadow", Stream.Null));
            Assert.Equal("scp: /etc/shadow: Permission denied", unreadable.Message);
            var noDirectory = Assert.Throws<ScpException>(() => scp.Upload(tree, $"{remote}/missing"));
            Assert.Equal($"scp: {remote}/missing: No such file or directory", noDirectory.Message);
            Assert.Throws<FileNotFoundException>(() => scp.Upload(new FileInfo(Path.Combine(local.FullName, "missing")), $"{remote}/x"));
        }
        finally
        {
            ssh.RunCommand($"rm -rf {remote}");
            local.Delete(recursive: true);
        }
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Calls_on_a_client_not_connected_fail_as_SSH_NET_says(Route route)
    {
        var side = await jump.SideAsync(fixture.Lab, route);
        using var scp = side.Scp(side.AnyUser());

        var error = Assert.Throws<SshConnectionException>(() => scp.Download("x", Stream.Null));

        Assert.Equal("Client not connected.", error.Message);
    }
}
