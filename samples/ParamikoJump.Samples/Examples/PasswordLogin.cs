using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>Password login on both hops, with a plain SSH.NET client as the jump.</summary>
internal static class PasswordLogin
{
    public static void Run(LabDescription lab)
    {
        var bastion = lab["bastion-password"];
        var target = lab["target-password"];

        // Any connected SshClient can be the jump.
        using var jumper = new SshClient(bastion.Host, bastion.Port, bastion.User, bastion.Credentials().Password!);
        jumper.Connect();
        using var client = new SshJumpClient(target.Host, username: target.User, password: target.Credentials().Password,
                                             lookForKeys: false, allowAgent: false, jumpSession: jumper);   // the password alone
        client.LoadSystemHostKeys(lab.KnownHosts);   // a plain SshClient jump shares no store: load it here
        client.Connect();
        Console.WriteLine($"{client.Hop}: {client.RunCommand("whoami").Result.TrimEnd()}");
    }
}
