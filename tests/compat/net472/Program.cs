using System;
using System.Linq;
using System.Runtime.InteropServices;
using ParamikoJump;
using ParamikoJump.Configuration;
using ParamikoJump.HostKeys;

// Usage: Net472Consumer KNOWN_HOSTS JUMP_HOST JUMP_PORT JUMP_USER JUMP_PASSWORD TARGET_HOST TARGET_PORT TARGET_USER TARGET_PASSWORD
// (passwords are read from the environment variables PJ_JUMP_PASSWORD and PJ_TARGET_PASSWORD when given as "-";
// PJ_FOREIGN_CONFIG names an ssh_config file that includes one another user owns, which must be refused on this build too)
internal static class Program
{
    private static int Main(string[] args)
    {
        var knownHosts = new KnownHosts();
        knownHosts.LoadSystemHostKeys(args[0]);
        using var jumper = new SshJumpClient(hostname: args[1], port: int.Parse(args[2]), username: args[3], password: Secret(args[4], "PJ_JUMP_PASSWORD"),
            lookForKeys: false, allowAgent: false, knownHosts: knownHosts);
        jumper.Connect();
        using var target = new SshJumpClient(hostname: args[5], port: int.Parse(args[6]), username: args[7], password: Secret(args[8], "PJ_TARGET_PASSWORD"),
            lookForKeys: false, allowAgent: false, jumpSession: jumper);
        target.Connect();

        var (stdin, stdout, _) = target.ExecCommand("wc -c");
        stdin.Dispose();
        var empty = stdout.ReadToEnd().Trim();
        var (_, hostname, _) = target.ExecCommand("echo $(whoami) via $(echo $SSH_CONNECTION | cut -d' ' -f1)");
        Console.WriteLine($"runtime: {RuntimeInformation.FrameworkDescription}");
        Console.WriteLine($"target: {hostname.ReadLines().Single()}");
        Console.WriteLine($"empty stdin: {empty}");
        Console.WriteLine($"hop: {target.Hop}");
        var foreignConfig = Environment.GetEnvironmentVariable("PJ_FOREIGN_CONFIG");
        if (!string.IsNullOrEmpty(foreignConfig))
        {
            try
            {
                SshConfig.Load(foreignConfig).Resolve("any");
                Console.WriteLine("foreign config: read");
            }
            catch (SshConfigException ex)
            {
                Console.WriteLine($"foreign config: refused: {ex.Message}");
            }
        }

        return 0;
    }

    private static string Secret(string given, string variable) =>
        given == "-" ? Environment.GetEnvironmentVariable(variable) ?? throw new ArgumentException($"{variable} is not set") : given;
}
