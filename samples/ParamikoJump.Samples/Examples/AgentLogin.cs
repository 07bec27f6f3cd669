using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>paramiko-jump's "my private key is managed by ssh-agent": no password, no key file, just SSH_AUTH_SOCK.</summary>
internal static class AgentLogin
{
    public static void Run(LabDescription lab)
    {
        if (Environment.GetEnvironmentVariable("SSH_AUTH_SOCK") is null)
        {
            Console.WriteLine("No ssh-agent here (SSH_AUTH_SOCK is not set); samples/run starts one holding the lab's key.");
        }

        var bastion = lab["bastion-password"];
        var target = lab["target-key"];
        using var jumper = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: bastion.User,
                                             allowAgent: true, lookForKeys: false);
        jumper.LoadSystemHostKeys(lab.KnownHosts);
        jumper.Connect();
        using var client = new SshJumpClient(hostname: target.Host, port: target.Port, username: target.User,
                                             allowAgent: true, lookForKeys: false, jumpSession: jumper);
        client.Connect();
        Console.WriteLine($"{client.Hop}: {client.RunCommand("whoami").Result.TrimEnd()} (both hops signed by the agent)");
    }
}
