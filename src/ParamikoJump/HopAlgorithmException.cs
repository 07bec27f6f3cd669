using System;
using System.Collections.Generic;
using Renci.SshNet.Common;
using Renci.SshNet.Messages.Transport;

namespace ParamikoJump;

/// <summary>
/// A hop's server and this client have no algorithm in common for one list (key exchange, host key, cipher or MAC), as
/// with an old network device that offers only <c>diffie-hellman-group14-sha1</c> or <c>ssh-rsa</c> against OpenSSH's
/// defaults, which ParamikoJump offers. The message names the hop, both lists, and the option that opts in for this hop
/// (<see cref="Option"/>: <see cref="HopSettings"/>' property and ssh_config's keyword of that name). An
/// <see cref="SshConnectionException"/> (key exchange failed), as SSH.NET raises for the same failure.
/// </summary>
public sealed class HopAlgorithmException : SshConnectionException, IHopFailure
{
    /// <summary>Creates the error.</summary>
    /// <param name="hop">The hop whose key exchange failed.</param>
    /// <param name="option">The option that sets the list: <c>KexAlgorithms</c>, <c>HostKeyAlgorithms</c>, <c>Ciphers</c> or <c>MACs</c>.</param>
    /// <param name="clientAlgorithms">What this client offered.</param>
    /// <param name="serverAlgorithms">What the server offered, escaped.</param>
    /// <param name="innerException">What SSH.NET raised.</param>
    public HopAlgorithmException(HopIdentity? hop, string option, IReadOnlyList<string> clientAlgorithms, IReadOnlyList<string> serverAlgorithms, Exception? innerException = null)
        : base(Describe(hop, option, clientAlgorithms, serverAlgorithms, innerException), DisconnectReason.KeyExchangeFailed, innerException)
    {
        Hop = hop;
        Option = option;
        ClientAlgorithms = clientAlgorithms;
        ServerAlgorithms = serverAlgorithms;
    }

    /// <inheritdoc/>
    public HopIdentity? Hop { get; }

    /// <inheritdoc/>
    public HopStage Stage => HopStage.KeyExchange;

    /// <summary>The option that sets the list with no match: <c>KexAlgorithms</c>, <c>HostKeyAlgorithms</c>, <c>Ciphers</c> or <c>MACs</c>.</summary>
    public string Option { get; }

    /// <summary>The algorithms this client offered, in its order.</summary>
    public IReadOnlyList<string> ClientAlgorithms { get; }

    /// <summary>The algorithms the server offered, in its order, each escaped with <see cref="ServerText.Escape"/>.</summary>
    public IReadOnlyList<string> ServerAlgorithms { get; }

    /// <summary>The error with its causes and stack traces, every control and bidi character shown as an escape.</summary>
    /// <returns>The whole chain, safe to print or log.</returns>
    public override string ToString() => ServerText.EscapeWhole(base.ToString());

    private static string Describe(HopIdentity? hop, string option, IReadOnlyList<string> client, IReadOnlyList<string> server, Exception? innerException) =>
        HopExceptionText.DescribeAfterSshNet(
            $"no {Subject(option)} in common with the server. The server offers: {string.Join(",", server)}; this client offers: {string.Join(",", client)}. " +
            $"OpenSSH's defaults leave out legacy algorithms; to allow one for this hop only, set {option} = \"+NAME\" in its HopSettings, or `{option} +NAME` in its ssh_config Host block (as with ssh).",
            hop,
            HopStage.KeyExchange,
            innerException);

    private static string Subject(string option) => option switch
    {
        "KexAlgorithms" => "key exchange algorithm",
        "HostKeyAlgorithms" => "host key algorithm",
        "Ciphers" => "cipher",
        "MACs" => "MAC algorithm",
        _ => "algorithm",
    };
}
