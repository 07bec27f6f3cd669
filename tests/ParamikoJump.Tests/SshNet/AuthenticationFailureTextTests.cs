using ParamikoJump.SshNet;
using ParamikoJump.Tests.Hostile;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace ParamikoJump.Tests.SshNet;

public class AuthenticationFailureTextTests
{
    [Fact]
    public void SSH_NETs_own_refusal_names_what_the_server_still_allows_in_the_words_ParamikoJump_reads()
    {
        // A real SSH.NET login refused by a real server that allows "publickey,keyboard-interactive" after a password.
        using var server = HostileServer.Start("auth-refused");
        using var client = new SshClient(new ConnectionInfo("127.0.0.1", server.Port, "victim", new PasswordAuthenticationMethod("victim", "wrong")) { Timeout = TimeSpan.FromSeconds(10) });

        var error = Assert.Throws<SshAuthenticationException>(client.Connect);

        Assert.True(
            AuthenticationFailureText.AllowedMethods(error.Message) is ["publickey", "keyboard-interactive"],
            $"SSH.NET {typeof(SshClient).Assembly.GetName().Version} words its refusal differently ('{error.Message}'): update SshNet/AuthenticationFailureText.cs");
    }

    [Fact]
    public void A_refusal_that_names_no_methods_leaves_nothing_allowed()
    {
        Assert.Empty(AuthenticationFailureText.AllowedMethods("Permission denied."));
    }
}
