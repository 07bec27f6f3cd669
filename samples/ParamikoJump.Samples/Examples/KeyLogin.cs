using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>Key-based login: a key file on a key-only target, and a key plus TOTP on a bastion that demands both.</summary>
internal static class KeyLogin
{
    public static void Run(LabDescription lab)
    {
        var keyMfa = lab["bastion-keymfa"];
        using var jumper = new SshJumpClient(hostname: keyMfa.Host, port: keyMfa.Port, username: keyMfa.User,
                                             keyFilenames: [lab.KeyFile("ed25519")],
                                             authHandler: new MagicAuthHandler([keyMfa.Credentials().Totp()]),
                                             lookForKeys: false, allowAgent: false);
        jumper.LoadSystemHostKeys(lab.KnownHosts);
        jumper.Connect();
        Console.WriteLine($"{jumper.Hop}: logged in with publickey + keyboard-interactive");

        // SSH.NET's own shape works too: a ConnectionInfo with its methods, and the jump beside it.
        var target = lab["target-key"];
        var info = new ConnectionInfo(target.Host, target.Port, target.User,
                                      new PrivateKeyAuthenticationMethod(target.User, new PrivateKeyFile(lab.KeyFile("rsa"))));
        using var client = new SshJumpClient(info, jumper);
        client.Connect();
        Console.WriteLine($"{client.Hop}: {client.RunCommand("whoami").Result.TrimEnd()}");
    }
}
