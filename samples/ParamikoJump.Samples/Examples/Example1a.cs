using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>paramiko-jump's Example 1a: MFA on the bastion answered at the console, then a target through it.</summary>
internal static class Example1a
{
    public static void Run(LabDescription lab)
    {
        var bastion = lab["bastion"];
        var target = lab["target-password"];

        using var jumper = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: "pjmfa",
                                             authHandler: new SimpleAuthHandler(), lookForKeys: false, allowAgent: false);
        jumper.LoadSystemHostKeys(lab.KnownHosts);   // read-only, like /etc/ssh/ssh_known_hosts
        jumper.Connect();

        using var client = new SshJumpClient(hostname: target.Host, username: target.User,
                                             password: target.Credentials().Password, lookForKeys: false,
                                             allowAgent: false, jumpSession: jumper);
        client.Connect();

        var (_, stdout, _) = client.ExecCommand("hostname -I; uname -sr");
        Console.WriteLine($"{client.Hop}:");
        Console.WriteLine(string.Join("\n", stdout.ReadLines()));
    }
}
