using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>paramiko-jump's Example 1b: the same chain, opened and closed by hand.</summary>
internal static class Example1b
{
    public static void Run(LabDescription lab)
    {
        var bastion = lab["bastion"];
        var mfa = bastion.Credentials("pjmfa");
        var target = lab["target-password"];

        var jumper = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: "pjmfa",
                                       authHandler: new MagicAuthHandler([mfa.Password!], [mfa.Totp()]),
                                       lookForKeys: false, allowAgent: false);
        jumper.LoadSystemHostKeys(lab.KnownHosts);
        jumper.Connect();

        var client = new SshJumpClient(hostname: target.Host, username: target.User, password: target.Credentials().Password,
                                       lookForKeys: false, allowAgent: false, jumpSession: jumper);
        client.Connect();

        var (_, stdout, _) = client.ExecCommand("echo hello from $(hostname -I)");
        Console.WriteLine(stdout.ReadToEnd().TrimEnd());

        // Close the target before the jump it runs through.
        client.Dispose();
        jumper.Dispose();
    }
}
