using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>paramiko-jump's multi-hop example: five servers, each reachable only from the one before it.</summary>
internal static class Example3
{
    public static void Run(LabDescription lab)
    {
        var hop1 = lab["hop1"];
        var hop2 = lab["hop2"];
        var hop3 = lab["hop3"];
        var hop4 = lab["hop4"];
        var hop5 = lab["hop5"];

        using var first = new SshJumpClient(hostname: hop1.Host, username: hop1.User, password: hop1.Credentials().Password,
                                            lookForKeys: false, allowAgent: false);
        first.LoadSystemHostKeys(lab.KnownHosts);   // every later hop is checked against the same store
        first.Connect();
        using var second = new SshJumpClient(hostname: hop2.Host, username: hop2.User, password: hop2.Credentials().Password,
                                             lookForKeys: false, allowAgent: false, jumpSession: first);
        second.Connect();
        using var third = new SshJumpClient(hostname: hop3.Host, username: hop3.User, password: hop3.Credentials().Password,
                                            lookForKeys: false, allowAgent: false, jumpSession: second);
        third.Connect();
        using var fourth = new SshJumpClient(hostname: hop4.Host, username: hop4.User, password: hop4.Credentials().Password,
                                             lookForKeys: false, allowAgent: false, jumpSession: third);
        fourth.Connect();
        using var target = new SshJumpClient(hostname: hop5.Host, username: hop5.User, password: hop5.Credentials().Password,
                                             lookForKeys: false, allowAgent: false, jumpSession: fourth);
        target.Connect();

        var (_, stdout, _) = target.ExecCommand("echo $SSH_CONNECTION");
        Console.WriteLine(target.Hop);
        Console.WriteLine($"SSH_CONNECTION on the last hop: {stdout.ReadToEnd().TrimEnd()}");
    }
}
