using System.Text.RegularExpressions;
using ParamikoJump.Execution;
using ParamikoJump.HostKeys;
using ParamikoJump.Lab;

namespace ParamikoJump.Samples.Examples;

/// <summary>
/// An old switch behind the bastion (paramiko-jump's <c>sh ip int br</c>): its legacy algorithms opted in for that hop
/// only, then a few commands at its CLI prompt, <c>enable</c> with its own password included.
/// </summary>
internal static class NetworkDevice
{
    public static void Run(LabDescription lab)
    {
        var bastion = lab["bastion-password"];
        var device = lab["switch01"];
        var knownHosts = new KnownHosts();
        knownHosts.LoadSystemHostKeys(lab.KnownHosts);

        using var jumper = new SshJumpClient(new HopSettings(bastion.Host)
        {
            Port = bastion.Port,
            Username = bastion.User,
            Password = bastion.Credentials().Password,
            KnownHosts = knownHosts,
        });
        jumper.Connect();

        // The device offers only SHA-1 key exchange and an ssh-rsa host key; ssh (and so ParamikoJump) leaves them
        // out unless asked, per hop: the bastion keeps OpenSSH's defaults.
        using var target = new SshJumpClient(new HopSettings(device.Host)
        {
            Username = device.User,
            Password = device.Credentials().Password,
            KnownHosts = knownHosts,
            KexAlgorithms = "+diffie-hellman-group14-sha1",
            HostKeyAlgorithms = "+ssh-rsa",
        }, jumper);
        target.Connect();
        Console.WriteLine($"{target.Hop}: {target.ConnectionInfo.CurrentKeyExchangeAlgorithm}, {target.ConnectionInfo.CurrentHostKeyAlgorithm} host key");

        var prompt = new Regex(@"[\w.-]+[>#] ?$");
        using var cli = new PromptShell(target, prompt, TimeSpan.FromSeconds(20));
        cli.Run("terminal length 0");
        Console.Write(cli.Run("show ip interface brief"));
        cli.SendAndExpect("enable", new Regex(@"Password: ?$"));
        cli.SendAndExpect(device.Credentials().EnablePassword!, prompt);
        Console.Write(cli.Run("show running-config"));
    }
}
