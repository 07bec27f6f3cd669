using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>
/// paramiko's <c>target.open_sftp()</c>: SFTP and SCP on a connected target, here an MFA server (password + TOTP)
/// reached through a jump. SSH.NET cannot run SFTP on another client's session, so each is a second login through
/// the same jump: the handler is asked again, so it holds the rounds of every login.
/// </summary>
internal static class OpenSftpOnMfaTarget
{
    public static void Run(LabDescription lab)
    {
        var bastion = lab["bastion-password"];
        var mfa = lab["bastion"];
        var secrets = mfa.Credentials("pjmfa");
        using var jumper = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: bastion.User,
                                             password: bastion.Credentials().Password, lookForKeys: false, allowAgent: false);
        jumper.LoadSystemHostKeys(lab.KnownHosts);
        jumper.Connect();

        // Three logins (the target, its SFTP client, its SCP client), two rounds each: password, then the code.
        var code = secrets.Totp();
        var handler = new MagicAuthHandler([secrets.Password!], [code], [secrets.Password!], [code], [secrets.Password!], [code]);
        using var target = new SshJumpClient(hostname: mfa.Address, port: mfa.Port, username: "pjmfa", authHandler: handler,
                                             lookForKeys: false, allowAgent: false, jumpSession: jumper);
        target.Connect();

        using var sftp = target.OpenSftp();
        sftp.UploadFile(new MemoryStream("written through MFA\n"u8.ToArray()), "open-sftp.txt");
        Console.WriteLine($"{sftp.Hop}: {string.Join(", ", sftp.ListDirectory(".").Where(f => f.Name == "open-sftp.txt").Select(f => $"{f.Name} ({f.Length} bytes)"))}");

        using var scp = target.OpenScp();
        using var back = new MemoryStream();
        scp.Download("open-sftp.txt", back);
        Console.Write($"{scp.Hop}: {System.Text.Encoding.UTF8.GetString(back.ToArray())}");
        sftp.DeleteFile("open-sftp.txt");
        Console.WriteLine($"MFA rounds left unused: {handler.RemainingRounds}");
    }
}
