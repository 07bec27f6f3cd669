using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>paramiko-jump's Example 2: one bastion login (with MFA) serving several targets.</summary>
internal static class Example2
{
    public static void Run(LabDescription lab)
    {
        var bastion = lab["bastion"];
        var mfa = bastion.Credentials("pjmfa");

        using var jumper = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: "pjmfa",
                                             authHandler: new MagicAuthHandler([mfa.Password!], [mfa.Totp()]),
                                             lookForKeys: false, allowAgent: false);
        jumper.LoadSystemHostKeys(lab.KnownHosts);   // the targets share the jump's known hosts
        jumper.Connect();

        var passwordTarget = lab["target-password"];
        var keyTarget = lab["target-key"];
        using var first = new SshJumpClient(hostname: passwordTarget.Host, username: passwordTarget.User,
                                            password: passwordTarget.Credentials().Password,
                                            lookForKeys: false, allowAgent: false, jumpSession: jumper);
        using var second = new SshJumpClient(hostname: keyTarget.Host, port: keyTarget.Port, username: keyTarget.User,
                                             keyFilenames: [lab.KeyFile("ed25519")],
                                             lookForKeys: false, allowAgent: false, jumpSession: jumper);
        first.Connect();
        second.Connect();

        foreach (var target in new[] { first, second })
        {
            var (_, stdout, _) = target.ExecCommand("whoami");
            Console.WriteLine($"{target.Hop}: {stdout.ReadToEnd().TrimEnd()}");
        }
    }
}
