using ParamikoJump.HostKeys;
using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>
/// Host-key policies, paramiko's vocabulary: RejectPolicy (the default) refuses an unknown host; AutoAddPolicy
/// trusts it on first use and writes it down; after that the key is verified like any other.
/// </summary>
internal static class HostKeyPolicies
{
    public static void Run(LabDescription lab)
    {
        var bastion = lab["bastion-password"];
        var target = lab["target-password"];
        var knownHostsFile = Path.Combine(Path.GetTempPath(), $"paramikojump-sample-known-hosts-{Environment.ProcessId}");
        try
        {
            // 1. Nothing known, default policy: refused before any password is sent.
            using (var strict = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: bastion.User,
                                                  password: bastion.Credentials().Password, lookForKeys: false, allowAgent: false,
                                                  knownHosts: new KnownHosts()))
            {
                try
                {
                    strict.Connect();
                }
                catch (HostKeyRejectedException ex)
                {
                    Console.WriteLine($"RejectPolicy: {ex.Message}");
                }
            }

            // 2. Trust on first use, for both hops, saved under each hop's own name (hashed, as HashKnownHosts does).
            var store = new KnownHosts { HashHostNames = true };
            store.LoadHostKeys(knownHostsFile);
            using (var jumper = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: bastion.User,
                                                  password: bastion.Credentials().Password, lookForKeys: false, allowAgent: false,
                                                  knownHosts: store, hostKeyPolicy: new AutoAddPolicy()))
            {
                jumper.Connect();
                using var client = new SshJumpClient(hostname: target.Host, username: target.User, password: target.Credentials().Password,
                                                     lookForKeys: false, allowAgent: false, jumpSession: jumper);
                client.Connect();
            }

            Console.WriteLine($"AutoAddPolicy wrote {File.ReadAllLines(knownHostsFile).Length} hashed lines to {knownHostsFile}");

            // 3. From now on the saved keys are verified, with the default RejectPolicy.
            var verified = new KnownHosts();
            verified.LoadSystemHostKeys(knownHostsFile);
            using var again = new SshJumpClient(hostname: bastion.Host, port: bastion.Port, username: bastion.User,
                                                password: bastion.Credentials().Password, lookForKeys: false, allowAgent: false,
                                                knownHosts: verified);
            again.Connect();
            Console.WriteLine($"{again.Hop}: verified against the saved key");
        }
        finally
        {
            File.Delete(knownHostsFile);
        }
    }
}
