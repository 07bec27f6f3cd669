using System.Security.Cryptography;
using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>
/// Files through the jump by SFTP: an SftpJumpClient is built like an SshJumpClient and goes through the same jump.
/// A file goes up and comes back with progress, then a directory tree goes up with its times and modes.
/// </summary>
internal static class SftpThroughJump
{
    public static void Run(LabDescription lab)
    {
        var bastion = lab["bastion-password"];
        var target = lab["target-password"];
        using var jumper = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: bastion.User,
                                             password: bastion.Credentials().Password, lookForKeys: false, allowAgent: false);
        jumper.LoadSystemHostKeys(lab.KnownHosts);
        jumper.Connect();

        using var sftp = new SftpJumpClient(hostname: target.Host, username: target.User, password: target.Credentials().Password,
                                            lookForKeys: false, allowAgent: false, jumpSession: jumper);
        sftp.Connect();
        Console.WriteLine($"{sftp.Hop}: SFTP in {sftp.WorkingDirectory}");

        var data = RandomNumberGenerator.GetBytes(8 << 20);
        sftp.UploadFile(new MemoryStream(data), "sample.bin", uploaded => Report("up", uploaded, data.Length));
        using var back = new MemoryStream();
        sftp.DownloadFile("sample.bin", back, downloaded => Report("down", downloaded, data.Length));
        Console.WriteLine($"8 MiB up and back, identical: {back.ToArray().AsSpan().SequenceEqual(data)}");
        sftp.DeleteFile("sample.bin");

        var tree = Directory.CreateTempSubdirectory("pj-sample-");
        try
        {
            File.WriteAllText(Path.Combine(tree.CreateSubdirectory("bin").FullName, "run.sh"), "#!/bin/sh\necho hi\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(tree.FullName, "bin", "run.sh"), (UnixFileMode)Convert.ToInt32("755", 8));
            }

            sftp.UploadDirectory(tree.FullName, "sample-tree", (path, size) => Console.WriteLine($"  put {path} ({size} bytes)"));
            var script = sftp.GetAttributes("sample-tree/bin/run.sh");
            Console.WriteLine($"  sample-tree/bin/run.sh is executable on the server: {script.OwnerCanExecute}");
        }
        finally
        {
            tree.Delete(recursive: true);
            sftp.DeleteFile("sample-tree/bin/run.sh");
            sftp.DeleteDirectory("sample-tree/bin");
            sftp.DeleteDirectory("sample-tree");
        }
    }

    // SSH.NET reports SFTP progress on the thread pool, as it goes; print the end of each direction only.
    private static void Report(string direction, ulong done, long total)
    {
        if (done == (ulong)total)
        {
            Console.WriteLine($"  {direction}: {done} of {total} bytes");
        }
    }
}
