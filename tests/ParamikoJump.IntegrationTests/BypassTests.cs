using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests;

/// <summary>
/// A plain SSH.NET client built on a ParamikoJump client's ConnectionInfo would log in without the host-key check,
/// which lives on the ParamikoJump client: it must fail at Connect, before a byte is sent, naming the classes to use.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class BypassTests(LabFixture fixture)
{
    private LabDescription Lab => fixture.Lab;

    public static TheoryData<string, bool> Cases => new()
    {
        { "SftpClient", true },
        { "ScpClient", true },
        { "SshClient", true },
        { "SftpClient", false },
        { "ScpClient", false },
        { "SshClient", false },
    };

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Cases))]
    public async Task A_plain_SSH_NET_client_on_a_ParamikoJump_clients_ConnectionInfo_fails_naming_the_classes_to_use(string kind, bool jumped)
    {
        using var jumper = await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using var owner = jumped
            ? await Hops.ConnectAsync(Hops.PasswordTarget(Lab, jumper))
            : await Hops.ConnectAsync(Hops.PasswordBastion(Lab));
        using BaseClient plain = kind switch
        {
            "SftpClient" => new SftpClient(owner.ConnectionInfo),
            "ScpClient" => new ScpClient(owner.ConnectionInfo, RemotePathTransformation.ShellQuote),
            _ => new SshClient(owner.ConnectionInfo),
        };
        var trusted = false;
        plain.HostKeyReceived += (_, _) => trusted = true;

        var error = await Assert.ThrowsAsync<ParamikoJumpException>(() => Task.Run(plain.Connect, TestContext.Current.CancellationToken));

        Assert.False(trusted, "the plain client reached the key exchange");
        Assert.Same(owner.Hop, error.Failure().Hop);
        Assert.Equal(HopStage.Setup, error.Failure().Stage);
        Assert.Contains("SshJumpClient, SftpJumpClient or ScpJumpClient", error.Message, StringComparison.Ordinal);
        Assert.Contains("OpenSftp()", error.Message, StringComparison.Ordinal);
        Assert.Contains(owner.Hop.KnownHostsName, error.Message, StringComparison.Ordinal);

        // The owner is untouched, and its own Open* calls are the way in.
        Assert.Equal("still here", Hops.Run(owner, "echo still here"));
        using var sftp = owner.OpenSftp();
        Assert.True(sftp.Exists("."));
    }
}
