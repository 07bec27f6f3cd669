using ParamikoJump.Keys;
using ParamikoJump.Hops;
using Renci.SshNet;

namespace ParamikoJump.Tests.Keys;

internal static class KeyTestHops
{
    public const string Passphrase = "c0rrect-horse-passphrase";

    /// <summary>A direct hop built from paramiko-style arguments in its own key environment; no traffic.</summary>
    public static HopSetup Setup(
        KeyEnvironment environment,
        string? password = null,
        string? passphrase = null,
        string[]? keyFilenames = null,
        IPrivateKeySource[]? keys = null,
        bool lookForKeys = true,
        bool allowAgent = true,
        ListLogger? log = null) =>
        HopSetup.FromArguments(new HopArguments
        {
            Hostname = "db.internal",
            Username = "admin",
            Password = password,
            Passphrase = passphrase,
            KeyFilenames = keyFilenames ?? [],
            Keys = keys ?? [],
            LookForKeys = lookForKeys,
            AllowAgent = allowAgent,
            LoggerFactory = log,
            KeyEnvironment = environment,
        });

    public static KeyEnvironment NoKeys => new(homeDirectory: null, agentSocket: null);

    public static string[] Sources(HopSetup setup) => setup.Keys.Resolve().Select(o => o.Source).ToArray();

    public static string[] Algorithms(HopSetup setup) => setup.Keys.Resolve().Select(o => o.Algorithm.Name).ToArray();
}
