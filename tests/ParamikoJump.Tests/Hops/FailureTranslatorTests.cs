using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using ParamikoJump.Authentication;
using ParamikoJump.Hops;
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
    public void Messages_start_with_the_hop_and_end_with_the_stage()
    {
        var error = FailureTranslator.Translate(new SshConnectionException("Key exchange negotiation failed."), Context(HopStage.KeyExchange));

        Assert.StartsWith("ops@bastion.example:22: ", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("[stage: KeyExchange]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_host_key_replaces_SSH_NETs_failed_key_exchange()
    {
        var rejection = new HostKeyRejectedException("unknown", Direct, "bastion.example", "ssh-ed25519", "SHA256:x");
        var context = Context(HopStage.HostKeyVerification) with { HostKeyRejection = rejection };

        var error = FailureTranslator.Translate(new SshConnectionException("Key exchange negotiation failed.", Renci.SshNet.Messages.Transport.DisconnectReason.HostKeyNotVerifiable), context);

        Assert.Same(rejection, error);
        Assert.Equal(HopStage.HostKeyVerification, error.Stage);
    }
}
