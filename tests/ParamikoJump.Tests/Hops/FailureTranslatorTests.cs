using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using ParamikoJump.Authentication;
using ParamikoJump.Execution;
using ParamikoJump.Hops;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys;
using Renci.SshNet.Common;

namespace ParamikoJump.Tests.Hops;

public class FailureTranslatorTests
{
    private static readonly HopIdentity Direct = new("bastion.example", 22, "ops");

    private static FailureContext Context(HopStage stage, AuthenticationTracker? tracker = null) =>
        new(Direct, stage, null, tracker ?? TestHops.Tracker(Direct), TestHops.Timeouts(connect: TimeSpan.FromSeconds(7)));

    [Fact]
    public void Our_own_errors_pass_through_untouched()
    {
        var ours = new KeyboardInteractiveException("x", Direct, 1, "Password: ");

        Assert.Same(ours, FailureTranslator.Translate(ours, Context(HopStage.Authentication)));
    }

    [Fact]
    public void A_refused_tcp_connection_names_host_port_and_stage()
    {
        var error = FailureTranslator.Translate(new SocketException((int)SocketError.ConnectionRefused), Context(HopStage.TcpConnect));

        var typed = Assert.IsType<HopConnectionException>(error);
        Assert.Equal(HopStage.TcpConnect, typed.Stage);
        Assert.Contains("bastion.example:22", typed.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefused", typed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timeout_reports_the_budget_of_its_stage()
    {
        var error = FailureTranslator.Translate(new SshOperationTimeoutException("Socket read operation has timed out"), Context(HopStage.KeyExchange));

        var typed = Assert.IsType<HopTimeoutException>(error);
        Assert.Equal(TimeSpan.FromSeconds(7), typed.Budget);
        Assert.Contains("key exchange", typed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Authentication_failures_list_what_the_server_still_allows()
    {
        var error = FailureTranslator.Translate(
            new SshAuthenticationException("No suitable authentication method found to complete authentication (publickey,keyboard-interactive)."),
            Context(HopStage.Authentication));

        var typed = Assert.IsType<HopAuthenticationException>(error);
        Assert.Equal(["publickey", "keyboard-interactive"], typed.AllowedMethods);
        Assert.Contains("the server still allows: publickey, keyboard-interactive", typed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_start_with_SSH_NETs_own_text_then_name_the_hop_and_end_with_the_stage()
    {
        var error = FailureTranslator.Translate(new SshConnectionException("Key exchange negotiation failed."), Context(HopStage.KeyExchange));

        Assert.StartsWith("Key exchange negotiation failed. ops@bastion.example:22: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("[stage: KeyExchange]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_of_our_own_with_no_SSH_NET_text_start_with_the_hop()
    {
        var error = FailureTranslator.Translate(new SocketException((int)SocketError.ConnectionRefused), Context(HopStage.TcpConnect));

        Assert.StartsWith("ops@bastion.example:22: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_authentication_failure_is_SSH_NETs_type_with_SSH_NETs_message_first()
    {
        var error = FailureTranslator.Translate(new SshAuthenticationException("Permission denied (password)."), Context(HopStage.Authentication));

        var typed = Assert.IsAssignableFrom<SshAuthenticationException>(error);
        Assert.StartsWith("Permission denied (password). ops@bastion.example:22: ", typed.Message, StringComparison.Ordinal);
        Assert.Equal(HopStage.Authentication, Assert.IsAssignableFrom<IHopFailure>(error).Stage);
        Assert.Equal(Direct, ((IHopFailure)error).Hop);
    }

    [Fact]
    public void A_closed_connection_keeps_SSH_NETs_type_and_disconnect_reason()
    {
        var error = FailureTranslator.Translate(
            new SshConnectionException("no authentication methods enabled", Renci.SshNet.Messages.Transport.DisconnectReason.ProtocolError),
            Context(HopStage.Authentication));

        var typed = Assert.IsAssignableFrom<SshConnectionException>(error);
        Assert.Equal(Renci.SshNet.Messages.Transport.DisconnectReason.ProtocolError, typed.DisconnectReason);
        Assert.StartsWith("no authentication methods enabled ", typed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_SSH_NET_reports_as_SshException_stays_one_with_its_text_first()
    {
        var error = FailureTranslator.Translate(new SshException("Subsystem 'sftp' could not be executed."), Context(HopStage.Session));

        Assert.IsAssignableFrom<IHopFailure>(error);
        Assert.StartsWith("Subsystem 'sftp' could not be executed. ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_timeout_is_SSH_NETs_timeout_type()
    {
        var error = FailureTranslator.Translate(new SshOperationTimeoutException("Socket read operation has timed out"), Context(HopStage.KeyExchange));

        Assert.IsAssignableFrom<SshOperationTimeoutException>(error);
    }

    [Fact]
    public void A_proxy_failure_is_SSH_NETs_proxy_type()
    {
        var error = FailureTranslator.Translate(new ProxyException("SOCKS4: Connection rejected."), Context(HopStage.TcpConnect));

        var typed = Assert.IsType<HopProxyException>(error);
        Assert.IsAssignableFrom<ProxyException>(typed);
        Assert.StartsWith("SOCKS4: Connection rejected. ", typed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Server_text_in_SSH_NETs_message_is_escaped()
    {
        var error = FailureTranslator.Translate(new SshConnectionException("bye\u001b]0;owned\u0007"), Context(HopStage.Session));

        Assert.DoesNotContain('\u001b', error.Message);
        Assert.DoesNotContain('\u0007', error.Message);
    }

    [Fact]
    public void Every_error_type_is_an_SshException_and_an_IHopFailure()
    {
        var hop = Direct;
        Exception[] errors =
        [
            new ParamikoJumpException("x", hop, HopStage.Setup),
            new HopAuthenticationException("x", hop, [], []),
            new HopConnectionException("x", hop, HopStage.TcpConnect),
            new HopTimeoutException("x", hop, HopStage.KeyExchange, TimeSpan.FromSeconds(1)),
            new HopUnresponsiveException(hop, TimeSpan.FromSeconds(1), 3),
            new HopKeyException("x", hop, HopStage.Setup, "key"),
            new HopProxyException("x", hop, HopStage.TcpConnect),
            new HostKeyRejectedException("x", hop, "h", "ssh-ed25519", "SHA256:x"),
            new HostKeyMismatchException("x", hop, "h", "ssh-ed25519", "SHA256:x", "SHA256:y", "f", 1),
            new JumpChannelException("x", hop, null, null),
            new JumpNotConnectedException("x", hop),
            new KeyboardInteractiveException("x", hop, 1, null),
            new CommandOutputLimitException(hop, "cat", 1),
            new ParamikoJump.Configuration.SshConfigException("x", null, 0),
        ];

        foreach (var error in errors)
        {
            Assert.IsAssignableFrom<SshException>(error);
            Assert.IsAssignableFrom<IHopFailure>(error);
        }

        Assert.IsAssignableFrom<SshAuthenticationException>(errors[1]);
        Assert.IsAssignableFrom<SshConnectionException>(errors[2]);
        Assert.IsAssignableFrom<SshOperationTimeoutException>(errors[3]);
        Assert.Equal(Renci.SshNet.Messages.Transport.DisconnectReason.ConnectionLost, ((SshConnectionException)errors[4]).DisconnectReason);
        Assert.Equal(Renci.SshNet.Messages.Transport.DisconnectReason.HostKeyNotVerifiable, ((SshConnectionException)errors[7]).DisconnectReason);
        Assert.IsAssignableFrom<SshAuthenticationException>(errors[11]);
    }

    [Fact]
    public void A_refused_host_key_replaces_SSH_NETs_failed_key_exchange()
    {
        var rejection = new HostKeyRejectedException("unknown", Direct, "bastion.example", "ssh-ed25519", "SHA256:x");
        var context = Context(HopStage.HostKeyVerification) with { HostKeyRejection = rejection };

        var error = FailureTranslator.Translate(new SshConnectionException("Key exchange negotiation failed.", Renci.SshNet.Messages.Transport.DisconnectReason.HostKeyNotVerifiable), context);

        Assert.Same(rejection, error);
        Assert.Equal(HopStage.HostKeyVerification, ((IHopFailure)error).Stage);
    }
}
