using ParamikoJump.Authentication;
using ParamikoJump.Lab;

namespace ParamikoJump.IntegrationTests.Parity;

/// <summary>
/// Logging in as SSH.NET users do, from a <see cref="ConnectionInfo"/>: every body runs on SSH.NET's plain client
/// straight to a server and on <see cref="SshJumpClient"/> through a jump to its twin, and asserts the same outcome,
/// exception type and SSH.NET message on both. One lab user per AuthenticationMethods combination.
/// </summary>
[Collection(LabCollectionDefinition.Name)]
public sealed class ParityAuthenticationTests(LabFixture fixture, ParityJump jump) : IClassFixture<ParityJump>
{
    public static TheoryData<Route> Routes => [Route.Plain, Route.Jump];

    private Task<ParitySide> Side(Route route) => jump.SideAsync(fixture.Lab, route);

    private static void LogsIn(ParitySide side, ConnectionInfo info)
    {
        using var client = side.Ssh(info);
        ParitySide.Connect(client);
        Assert.Equal(info.Username, client.RunCommand("whoami").Result.Trim());
    }

    private static TException Refused<TException>(ParitySide side, ConnectionInfo info, string sshNetMessage)
        where TException : Exception
    {
        using var client = side.Ssh(info);
        var error = Assert.ThrowsAny<TException>(() => ParitySide.Connect(client));
        Assert.StartsWith(sshNetMessage, error.Message, StringComparison.Ordinal);
        Assert.False(client.IsConnected);
        if (side.Route == Route.Jump)
        {
            Assert.Equal(((SshJumpClient)client).Hop, error.Failure().Hop);
        }

        return error;
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Password(Route route)
    {
        var side = await Side(route);
        LogsIn(side, side.Info("pjpar-pw", new PasswordAuthenticationMethod("pjpar-pw", side.Password("pjpar-pw"))));
        Refused<SshAuthenticationException>(side, side.Info("pjpar-pw", new PasswordAuthenticationMethod("pjpar-pw", "wrong")), "Permission denied (password).");
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Public_key(Route route)
    {
        var side = await Side(route);
        LogsIn(side, side.Info("pjpar-pk", new PrivateKeyAuthenticationMethod("pjpar-pk", side.GoodKey())));
        LogsIn(side, side.Info("pjpar-pk", new PrivateKeyAuthenticationMethod("pjpar-pk", side.UnknownKey(), side.GoodKey("rsa"))));
        Refused<SshAuthenticationException>(side, side.Info("pjpar-pk", new PrivateKeyAuthenticationMethod("pjpar-pk", side.UnknownKey())), "Permission denied (publickey).");
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Keyboard_interactive(Route route)
    {
        var side = await Side(route);
        LogsIn(side, side.Info("pjpar-kbd", ParitySide.Interactive("pjpar-kbd", side.Password("pjpar-kbd"))));
        Refused<SshAuthenticationException>(side, side.Info("pjpar-kbd", ParitySide.Interactive("pjpar-kbd", "wrong")), "Permission denied (keyboard-interactive).");
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Keyboard_interactive_with_no_handler_fails_as_SSH_NET_does(Route route)
    {
        var side = await Side(route);
        Refused<SshAuthenticationException>(side, side.Info("pjpar-kbd", ParitySide.Interactive("pjpar-kbd", null)), "AuthenticationPrompt.Response is null for prompt");
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task A_method_the_server_does_not_allow_is_not_enough(Route route)
    {
        var side = await Side(route);
        Refused<SshAuthenticationException>(side, side.Info("pjpar-pk", new PasswordAuthenticationMethod("pjpar-pk", "x")),
            "No suitable authentication method found to complete authentication (publickey).");
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Publickey_then_password(Route route)
    {
        var side = await Side(route);
        var user = "pjpar-pkpw";
        LogsIn(side, side.Info(user, new PrivateKeyAuthenticationMethod(user, side.GoodKey()), new PasswordAuthenticationMethod(user, side.Password(user))));
        LogsIn(side, side.Info(user, new PasswordAuthenticationMethod(user, side.Password(user)), new PrivateKeyAuthenticationMethod(user, side.GoodKey())));
        Refused<SshAuthenticationException>(side, side.Info(user, new PrivateKeyAuthenticationMethod(user, side.GoodKey()), new PasswordAuthenticationMethod(user, "wrong")), "Permission denied (password).");
        Refused<SshAuthenticationException>(side, side.Info(user, new PasswordAuthenticationMethod(user, side.Password(user))),
            "No suitable authentication method found to complete authentication (publickey).");
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Password_then_publickey(Route route)
    {
        var side = await Side(route);
        var user = "pjpar-pwpk";
        LogsIn(side, side.Info(user, new PrivateKeyAuthenticationMethod(user, side.GoodKey()), new PasswordAuthenticationMethod(user, side.Password(user))));
        Refused<SshAuthenticationException>(side, side.Info(user, new PasswordAuthenticationMethod(user, side.Password(user)), new PrivateKeyAuthenticationMethod(user, side.UnknownKey())), "Permission denied (publickey).");
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Publickey_then_keyboard_interactive(Route route)
    {
        var side = await Side(route);
        var user = "pjpar-pkkbd";
        LogsIn(side, side.Info(user, ParitySide.Interactive(user, side.Password(user)), new PrivateKeyAuthenticationMethod(user, side.GoodKey())));
        Refused<SshAuthenticationException>(side, side.Info(user, new PrivateKeyAuthenticationMethod(user, side.GoodKey()), ParitySide.Interactive(user, null)), "AuthenticationPrompt.Response is null for prompt");
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Password_then_keyboard_interactive(Route route)
    {
        var side = await Side(route);
        var user = "pjpar-pwkbd";
        LogsIn(side, side.Info(user, new PasswordAuthenticationMethod(user, side.Password(user)), ParitySide.Interactive(user, side.Password(user))));
        Refused<SshAuthenticationException>(side, side.Info(user, new PasswordAuthenticationMethod(user, side.Password(user)), ParitySide.Interactive(user, "wrong")), "Permission denied (keyboard-interactive).");
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task The_same_method_is_offered_again_after_partial_success(Route route)
    {
        // AuthenticationMethods "password,publickey password,password": a good password and a bad key log in, the
        // password being offered a second time for the second factor (the case).
        var side = await Side(route);
        var user = "pjpar-pwpwpk";
        LogsIn(side, side.Info(user, new PasswordAuthenticationMethod(user, side.Password(user)), new PrivateKeyAuthenticationMethod(user, side.UnknownKey())));
        LogsIn(side, side.Info(user, new PrivateKeyAuthenticationMethod(user, side.UnknownKey()), new PasswordAuthenticationMethod(user, side.Password(user))));
        LogsIn(side, side.Info(user, new PasswordAuthenticationMethod(user, side.Password(user)), new PrivateKeyAuthenticationMethod(user, side.GoodKey())));
        using var sftp = side.Sftp(side.Info(user, new PasswordAuthenticationMethod(user, side.Password(user)), new PrivateKeyAuthenticationMethod(user, side.UnknownKey())));
        ParitySide.Connect(sftp);
        Assert.Equal($"/home/{user}", sftp.WorkingDirectory);
    }

    [Fact(Timeout = 60_000)]
    public async Task Jump_clients_built_from_settings_or_with_a_handler_also_offer_the_password_again()
    {
        var side = await Side(Route.Jump);
        var user = "pjpar-pwpwpk";
        var settings = new HopSettings(side.Server.Host)
        {
            Port = side.Server.Port, Username = user, Password = side.Password(user), KeyFilenames = [side.Lab.KeyFile("userCa")],
            LookForKeys = false, AllowAgent = false, KnownHosts = Hops.KnownHostsOf(side.Lab),
        };
        using var fromSettings = new SshJumpClient(settings, side.Jump);
        fromSettings.Connect();
        var info = side.Info(user, new PasswordAuthenticationMethod(user, side.Password(user)), new PrivateKeyAuthenticationMethod(user, side.UnknownKey()));
        using var withHandler = new SshJumpClient(info, side.Jump, authHandler: new MagicAuthHandler(["unused"]), knownHosts: Hops.KnownHostsOf(side.Lab));
        withHandler.Connect();

        Assert.Equal(user, Hops.Run(fromSettings, "whoami"));
        Assert.Equal(user, Hops.Run(withHandler, "whoami"));
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task Two_different_keys(Route route)
    {
        var side = await Side(route);
        var user = "pjpar-pkpk";
        LogsIn(side, side.Info(user, new PrivateKeyAuthenticationMethod(user, side.GoodKey()), new PrivateKeyAuthenticationMethod(user, side.GoodKey("rsa"))));
        Refused<SshAuthenticationException>(side, side.Info(user, new PrivateKeyAuthenticationMethod(user, side.GoodKey())), "Permission denied (publickey).");
    }

    [Theory(Timeout = 60_000), MemberData(nameof(Routes))]
    public async Task A_server_with_no_method_enabled_for_the_user_disconnects(Route route)
    {
        var side = await Side(route);
        var error = Refused<SshConnectionException>(side, side.Info("pjpar-off", new PasswordAuthenticationMethod("pjpar-off", side.Password("pjpar-off"))), "The connection was closed by the server: no authentication methods enabled");
        Assert.Equal(Renci.SshNet.Messages.Transport.DisconnectReason.ProtocolError, error.DisconnectReason);
    }
}
