using Renci.SshNet;
using ParamikoJump.SshNet;

namespace ParamikoJump.Tests.SshNet;

/// <summary>
/// The pin of SshNet/ChannelRequests (env and pty-req before exec): SshCommand still holds its channel in a private
/// interface-typed field, created with the command, whose channel sends env and pty-req requests and waits for replies.
/// </summary>
public class ChannelRequestsTests
{
    [Fact]
    public void A_commands_channel_can_be_put_behind_the_requesting_proxy()
    {
        var version = typeof(SshClient).Assembly.GetName().Version;

        Assert.True(ChannelRequests.CanSend,
            $"SSH.NET {version}: the seam SshNet/ChannelRequests no longer holds: SshCommand._channel (IChannelSession) or its SendEnvironmentVariableRequest / SendPseudoTerminalRequest moved. Commands asking for variables or a terminal fail with NotSupportedException until the seam is updated.");
    }
}
