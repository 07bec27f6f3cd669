using System.Linq;
using Renci.SshNet;

namespace ParamikoJump.Hops;

/// <summary>
/// The constructor family every client (<see cref="SshJumpClient"/>, <see cref="SftpJumpClient"/>,
/// <see cref="ScpJumpClient"/>) declares, and what the SSH.NET shapes mean. C# cannot share constructors between
/// classes whose bases differ (SSH.NET's SshClient, SftpClient, ScpClient), so each client declares the same
/// signatures, each one line into <see cref="HopPlan"/> (SSH.NET's shapes through this class) and on to the client's
/// single private constructor, and <c>JumpClientConstructorTests</c> fails when one client's family differs from the
/// others'. A new option is a <see cref="HopSettings"/> property, which every
/// client takes through its <c>(HopSettings, SshClient?)</c> constructor: no constructor changes.
/// <list type="bullet">
/// <item>paramiko's <c>connect()</c> arguments, named, with the jump and the timeouts;</item>
/// <item><c>(HopSettings, SshClient? jumpSession = null)</c>;</item>
/// <item><c>(ConnectionInfo, SshClient? jumpSession = null, handler, policy, store)</c>, SSH.NET's own first;</item>
/// <item>SSH.NET's host/port/user/password and host/port/user/keys shapes, with and without the port, as SSH.NET
/// declares them, so an SSH.NET call compiles unchanged. Through a jump, those are the named or settings form.</item>
/// </list>
/// </summary>
internal static class JumpClientConstructors
{
    /// <summary>SSH.NET's password shapes: the password alone is offered, as SSH.NET does, no agent and no default key files.</summary>
    public static HopPlan Password(string host, int port, string username, string password) =>
        HopPlan.FromSettings(new HopSettings(host) { Port = port, Username = username, Password = password, LookForKeys = false, AllowAgent = false }, null);

    /// <summary>SSH.NET's key shapes: these keys alone are offered, no agent and no default key files.</summary>
    public static HopPlan Keys(string host, int port, string username, IPrivateKeySource[]? keyFiles) =>
        HopPlan.FromSettings(new HopSettings(host) { Port = port, Username = username, Keys = keyFiles?.ToList() ?? [], LookForKeys = false, AllowAgent = false }, null);
}
