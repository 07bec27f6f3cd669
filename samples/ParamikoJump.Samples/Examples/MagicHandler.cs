using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>Prepared MFA answers for automation: password + TOTP, then a Duo-style push approved after a delay.</summary>
internal static class MagicHandler
{
    public static void Run(LabDescription lab)
    {
        var bastion = lab["bastion"];
        var mfa = bastion.Credentials("pjmfa");
        using (var totp = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: "pjmfa",
                                            authHandler: new MagicAuthHandler([mfa.Password!], [mfa.Totp()]),
                                            lookForKeys: false, allowAgent: false))
        {
            totp.LoadSystemHostKeys(lab.KnownHosts);
            totp.Connect();
            Console.WriteLine($"{totp.Hop}: logged in with password + TOTP");
        }

        // Duo: the password, then "1" for a push, which the lab approves after a few seconds.
        var duo = lab["bastion-duo"];
        var handler = new MagicAuthHandler();
        handler.Add(duo.Credentials().Password!);
        handler.Add("1");
        using var pushed = new SshJumpClient(hostname: duo.Host, port: duo.Port, username: duo.User, authHandler: handler,
                                             lookForKeys: false, allowAgent: false);
        pushed.LoadSystemHostKeys(lab.KnownHosts);
        var started = DateTime.UtcNow;
        pushed.Connect();
        Console.WriteLine($"{pushed.Hop}: logged in with password + Duo push ({(DateTime.UtcNow - started).TotalSeconds:0.0} s)");
    }
}
