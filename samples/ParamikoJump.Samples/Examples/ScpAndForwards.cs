using System.Net;
using System.Net.Sockets;
using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>
/// SCP, a shell and a local port forward on clients behind jumps: hop1 is the jump, hop2 the target, and hop3's
/// sshd is reachable only from hop2's network.
/// </summary>
internal static class ScpAndForwards
{
    public static void Run(LabDescription lab)
    {
        var hop1 = lab["hop1"];
        var hop2 = lab["hop2"];
        using var jumper = new SshJumpClient(hostname: hop1.Host, username: hop1.User, password: hop1.Credentials().Password,
                                             lookForKeys: false, allowAgent: false);
        jumper.LoadSystemHostKeys(lab.KnownHosts);
        jumper.Connect();

        using (var scp = new ScpJumpClient(hostname: hop2.Host, username: hop2.User, password: hop2.Credentials().Password,
                                           lookForKeys: false, allowAgent: false, jumpSession: jumper))
        {
            scp.Connect();
            scp.Upload(new MemoryStream("hello by scp\n"u8.ToArray()), "scp-sample.txt");
            using var back = new MemoryStream();
            scp.Download("scp-sample.txt", back);
            Console.Write($"{scp.Hop}: {System.Text.Encoding.UTF8.GetString(back.ToArray())}");
        }

        using var target = new SshJumpClient(hostname: hop2.Host, username: hop2.User, password: hop2.Credentials().Password,
                                             lookForKeys: false, allowAgent: false, jumpSession: jumper);
        target.Connect();
        target.RunCommand("rm -f scp-sample.txt");

        using (var shell = target.CreateShellStream("dumb", 80, 24, 800, 600, 1024))
        {
            shell.WriteLine("echo shell-says-$((20+22))");
            var answered = shell.Expect("shell-says-42", TimeSpan.FromSeconds(10)) is not null;
            Console.WriteLine($"{target.Hop}: the shell {(answered ? "answered shell-says-42" : "did not answer")}");
        }

        // A local forward on the target: 127.0.0.1:<port> here reaches hop3's sshd, which only hop2 can see.
        using var forward = new ForwardedPortLocal("127.0.0.1", 0, lab["hop3"].Host, 22);
        target.AddForwardedPort(forward);
        forward.Start();
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, (int)forward.BoundPort);
        using var reader = new StreamReader(client.GetStream());
        Console.WriteLine($"127.0.0.1:{forward.BoundPort} -> {lab["hop3"].Host}:22 answers '{reader.ReadLine()}'");
    }
}
