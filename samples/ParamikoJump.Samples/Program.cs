using ParamikoJump;
using ParamikoJump.Authentication;
using ParamikoJump.Lab;
using ParamikoJump.Samples.Examples;

// Runs paramiko-jump's README examples, in C#, against the lab that tests/lab/lab.sh started.
//   dotnet run --project samples/ParamikoJump.Samples -- [all | NAME ...]
//   dotnet run --project samples/ParamikoJump.Samples -- answers   (the console MFA answers, for piping into 1a)
//   dotnet run --project samples/ParamikoJump.Samples -- key-file  (the lab's client key, for ssh-add)
var examples = new (string Name, string Title, Action<LabDescription> Run)[]
{
    ("1a", "Example 1a: one jump with console MFA, then a target, in using blocks", Example1a.Run),
    ("1b", "Example 1b: the same without using blocks", Example1b.Run),
    ("2", "Example 2: one jump, several targets", Example2.Run),
    ("3", "Example 3: a five-hop circuit", Example3.Run),
    ("magic", "MagicAuthHandler: queued MFA answers, a Duo push", MagicHandler.Run),
    ("key", "Key-based login", KeyLogin.Run),
    ("agent", "Key-based login with the key held by ssh-agent", AgentLogin.Run),
    ("password", "Password login", PasswordLogin.Run),
    ("hostkeys", "Host-key policies: reject unknown hosts, trust on first use, verify", HostKeyPolicies.Run),
    ("config", "ssh_config and -J chains in one call; MFA answered by TOTP and prompt rules", SshConfigChains.Run),
    ("sftp", "Files through the jump: SFTP up and down with progress, a directory tree with its modes", SftpThroughJump.Run),
    ("open-sftp", "paramiko's open_sftp(): SFTP and SCP on an MFA target behind a jump", OpenSftpOnMfaTarget.Run),
    ("scp-forward", "SCP, a shell and a local port forward on a target behind a jump", ScpAndForwards.Run),
    ("device", "An old network device behind the bastion: legacy algorithms opted in for its hop, commands at its CLI prompt", NetworkDevice.Run),
};

var lab = LabDescription.Load();
if (args is ["answers"])
{
    // What a person would type at example 1a's prompts: the bastion password, then the current TOTP code.
    var secrets = lab["bastion"].Credentials("pjmfa");
    Console.WriteLine(secrets.Password);
    Console.WriteLine(secrets.Totp());
    return 0;
}

if (args is ["key-file"])
{
    Console.WriteLine(lab.KeyFile("ed25519"));
    return 0;
}

var chosen = args is [] or ["all"] ? examples : examples.Where(e => args.Contains(e.Name)).ToArray();
if (chosen.Length == 0)
{
    Console.Error.WriteLine($"Unknown example. Choose from: all, answers, key-file, {string.Join(", ", examples.Select(e => e.Name))}");
    return 2;
}

var failed = 0;
foreach (var (name, title, run) in chosen)
{
    Console.WriteLine($"=== {title}");
    try
    {
        run(lab);
        Console.WriteLine($"=== {name}: ok");
    }
    catch (Renci.SshNet.Common.SshException ex) when (ex is IHopFailure)
    {
        Console.WriteLine($"=== {name}: FAILED: {ex.Message}");
        failed++;
    }

    Console.WriteLine();
}

Console.WriteLine($"{chosen.Length - failed} of {chosen.Length} examples ran");
return failed == 0 ? 0 : 1;
