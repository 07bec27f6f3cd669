using ParamikoJump.Authentication;
using ParamikoJump.Configuration;
using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>
/// Describe a bastion once: the five-hop circuit and the MFA bastion written as an ssh_config file (what a user keeps
/// in ~/.ssh/config), connected in one call each; the same circuit from a -J string; MFA answered by TOTP and prompt
/// rules, login after login.
/// </summary>
internal static class SshConfigChains
{
    public static void Run(LabDescription lab)
    {
        var hopPassword = lab["hop1"].Credentials().Password!;
        var bastion = lab["bastion"];
        var mfa = bastion.Credentials("pjmfa-fast");
        var target = lab["target-password"];

        // What ~/.ssh/config would say; here in a file of its own, read with SshConfig.Load (LoadDefault() reads ~/.ssh/config).
        var file = Path.Combine(Path.GetTempPath(), $"paramikojump-sample-{Environment.ProcessId}.config");
        File.WriteAllText(file, $"""
            Host hop1
                HostName {lab["hop1"].Host}
            Host hop2 hop3 hop4 hop5
                HostName %h.pjlab
            Host hop2
                ProxyJump hop1
            Host hop3
                ProxyJump hop2
            Host hop4
                ProxyJump hop3
            Host hop5
                ProxyJump hop4
            Host bastion
                HostName {bastion.Host}
                User pjmfa-fast
            Host db
                HostName {target.Host}
                User {target.User}
                ProxyJump bastion
            Host *
                User pjhop
                PubkeyAuthentication no
                UserKnownHostsFile {lab.KnownHosts}
                StrictHostKeyChecking yes
            """);
        try
        {
            var config = SshConfig.Load(file);

            // 1. The five-hop circuit: hop5's block names hop4, whose block names hop3, ... each jump resolved through its own block.
            Console.WriteLine($"resolved: {config.Resolve("hop5")}; jumps: {string.Join(" -> ", config.Resolve("hop5").Jumps.Select(j => j.Name))}");
            using (var hop5 = config.Connect("hop5", (_, hop) => hop.Password = hopPassword))
            {
                Console.WriteLine($"{hop5.Hop}");
                Console.WriteLine($"  SSH_CONNECTION: {hop5.RunCommand("echo $SSH_CONNECTION").Result.Trim()}");
            }   // disposing the target closes hop4, hop3, hop2 and hop1 too

            // 2. The same circuit from an ssh -J string, no configuration file.
            var jumps = string.Join(",", Enumerable.Range(1, 4).Select(n => $"pjhop@{lab[$"hop{n}"].Host}"));
            using (var hop5 = JumpChain.Connect($"pjhop@{lab["hop5"].Host}", jumps, (_, hop) =>
            {
                hop.Password = hopPassword;
                hop.LookForKeys = false;
                hop.AllowAgent = false;
                hop.KnownHosts = LabKnownHosts(lab);
            }))
            {
                Console.WriteLine($"-J {jumps}: {hop5.Hop.Depth} jumps, whoami: {hop5.RunCommand("whoami").Result.Trim()}");
            }

            // 3. The MFA bastion answered by itself: the password and a TOTP code computed when the prompt arrives, for
            //    each of three logins (this lab user's codes change every 3 s and the server refuses a reused code).
            var handler = new PromptHandler()
                .On("^Password:", mfa.Password!)
                .On("Verification code", new TotpSource(mfa.TotpSecret!, period: TimeSpan.FromSeconds(mfa.TotpPeriod)));
            for (var login = 1; login <= 3; login++)
            {
                using var db = config.Connect("db", (name, hop) =>
                {
                    if (name == "bastion")
                    {
                        hop.AuthHandler = handler;              // per host: the bastion gets the MFA handler
                    }
                    else
                    {
                        hop.Password = target.Credentials().Password;
                    }
                });
                Console.WriteLine($"login {login}: {db.Hop}: {db.RunCommand("whoami").Result.Trim()}");
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static HostKeys.KnownHosts LabKnownHosts(LabDescription lab)
    {
        var store = new HostKeys.KnownHosts();
        store.LoadSystemHostKeys(lab.KnownHosts);
        return store;
    }
}
