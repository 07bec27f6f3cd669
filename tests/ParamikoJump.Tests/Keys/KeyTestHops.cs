using ParamikoJump.Keys;
using ParamikoJump.Hops;
using Renci.SshNet;

namespace ParamikoJump.Tests.Keys;

internal static class KeyTestHops
{
    public const string Passphrase = "c0rrect-horse-passphrase";

    /// <summary>A direct hop built from paramiko-style arguments in its own key environment; no traffic.</summary>
    public static HopPlan Setup(
        KeyEnvironment environment,
        string? password = null,
        string? passphrase = null,
        string[]? keyFilenames = null,
        IPrivateKeySource[]? keys = null,
        bool lookForKeys = true,
        bool allowAgent = true,
        ListLogger? log = null,
        string? identityAgent = null,
        string? pubkeyAcceptedAlgorithms = null) =>
        HopPlan.FromSettings(
            new HopSettings("db.internal")
            {
            Username = "admin",
            Password = password,
            Passphrase = passphrase,
            KeyFilenames = keyFilenames ?? [],
            Keys = keys ?? [],
            LookForKeys = lookForKeys,
            AllowAgent = allowAgent,
            LoggerFactory = log,
            KeyEnvironment = environment,
            IdentityAgent = identityAgent,
            PubkeyAcceptedAlgorithms = pubkeyAcceptedAlgorithms,
            },
            jump: null);

    public static KeyEnvironment NoKeys => new(homeDirectory: null, agentSocket: null);

    public static string[] Sources(HopPlan setup) => setup.Keys.Resolve().Select(o => o.Source).ToArray();

    public static string[] Algorithms(HopPlan setup) => setup.Keys.Resolve().Select(o => o.Algorithm.Name).ToArray();
}
