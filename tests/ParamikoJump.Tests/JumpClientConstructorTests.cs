using System.Reflection;
using Renci.SshNet;

namespace ParamikoJump.Tests;

/// <summary>
/// The three clients declare one constructor family (Hops/JumpClientConstructors): the same signatures on each, every
/// SSH.NET constructor of the base class callable unchanged, and SSH.NET's shapes offering only what they were given.
/// </summary>
public class JumpClientConstructorTests
{
    public static TheoryData<Type, Type> ClientsAndTheirSshNetBases => new()
    {
        { typeof(SshJumpClient), typeof(SshClient) },
        { typeof(SftpJumpClient), typeof(SftpClient) },
        { typeof(ScpJumpClient), typeof(ScpClient) },
    };

    [Fact]
    public void The_SFTP_and_SCP_clients_declare_exactly_the_constructors_of_SshJumpClient()
    {
        var family = Signatures(typeof(SshJumpClient));

        Assert.Equal(7, family.Count);
        Assert.Equal(family, Signatures(typeof(SftpJumpClient)));
        Assert.Equal(family, Signatures(typeof(ScpJumpClient)));
    }

    [Theory]
    [MemberData(nameof(ClientsAndTheirSshNetBases))]
    public void Every_public_SSH_NET_constructor_of_the_base_is_a_call_the_jump_client_takes_unchanged(Type client, Type sshNetBase)
    {
        var ours = client.GetConstructors();
        // ScpClient's forms that take an IRemotePathTransformation are left out: ScpJumpClient sets the property
        // RemotePathTransformation instead (ShellQuote by default), so those calls become an initializer.
        var theirs = sshNetBase.GetConstructors()
            .Where(c => !c.GetParameters().Any(p => p.ParameterType == typeof(IRemotePathTransformation)))
            .ToArray();

        Assert.Equal(5, theirs.Length);
        foreach (var constructor in theirs)
        {
            var wanted = constructor.GetParameters();
            Assert.True(
                ours.Any(candidate => TakesTheSameCall(candidate.GetParameters(), wanted)),
                $"{client.Name} has no constructor for SSH.NET's {sshNetBase.Name}({string.Join(", ", wanted.Select(p => p.ParameterType.Name))})");
        }
    }

    [Fact]
    public void SSH_NET_shapes_offer_only_the_password_or_keys_they_were_given()
    {
        var key = new PrivateKeyFile(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(TestKeys.Ed25519)));
        using var password = new SshJumpClient("h", 2200, "u", "p");
        using var keys = new SshJumpClient("h", "u", key);

        foreach (var settings in new[] { password.Runtime.Plan.Settings, keys.Runtime.Plan.Settings })
        {
            Assert.False(settings.LookForKeys);
            Assert.False(settings.AllowAgent);
        }

        Assert.Equal("p", password.Runtime.Plan.Settings.Password);
        Assert.Equal(2200, password.Runtime.Plan.Settings.Port);
        Assert.Same(key, Assert.Single(keys.Runtime.Plan.Settings.Keys));
        Assert.Null(keys.Runtime.Plan.Settings.Password);
    }

    [Fact]
    public void Settings_with_or_without_a_jump_is_one_constructor_that_refuses_a_jump_never_connected()
    {
        using var jump = new SshClient("bastion.example", "ops", "pw");
        var settings = new HopSettings("db") { Username = "admin", Password = "pw" };
        using var direct = new SftpJumpClient(settings);

        var error = Assert.Throws<JumpNotConnectedException>(() => new ScpJumpClient(settings, jump));

        Assert.Null(direct.JumpSession);
        Assert.Equal("admin@db:22 via ops@bastion.example:22", error.Hop?.ToString());
    }

    /// <summary>Each public constructor as its parameter types, names, defaults and params flag, in a stable order.</summary>
    private static List<string> Signatures(Type client) =>
        client.GetConstructors()
            .Select(c => string.Join(", ", c.GetParameters().Select(p =>
                $"{(p.IsDefined(typeof(ParamArrayAttribute)) ? "params " : "")}{p.ParameterType} {p.Name}{(p.IsOptional ? " = " + (p.DefaultValue ?? "null") : "")}")))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Whether a call written for <paramref name="theirs"/> binds to <paramref name="ours"/>: the same leading types, the rest optional.</summary>
    private static bool TakesTheSameCall(ParameterInfo[] ours, ParameterInfo[] theirs) =>
        ours.Length >= theirs.Length
        && theirs.Select((p, i) => ours[i].ParameterType == p.ParameterType
                                   && ours[i].IsDefined(typeof(ParamArrayAttribute)) == p.IsDefined(typeof(ParamArrayAttribute)))
                 .All(same => same)
        && ours.Skip(theirs.Length).All(p => p.IsOptional);
}
