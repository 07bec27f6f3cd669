using System;
using System.Collections.Generic;
using System.Reflection;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace ParamikoJump.SshNet;

/// <summary>
/// Requests sent on a command's channel after it opens and before its exec request: <c>env</c> and <c>pty-req</c>
/// (paramiko's <c>exec_command(environment=..., get_pty=True)</c>). <see cref="SshCommand.ExecuteAsync"/> opens the
/// channel (its private <c>_channel</c>, created with the command) and sends exec in one call, so the channel is put
/// behind a <c>DispatchProxy</c> on SSH.NET's internal <c>IChannelSession</c> that passes every call through and, once
/// <c>Open()</c> returned, sends the requests with the channel's own <c>SendEnvironmentVariableRequest</c> and
/// <c>SendPseudoTerminalRequest</c>, which ask for a reply and wait for it: a refusal is known before exec is sent, and
/// thrown from <c>Open()</c> so the command never starts.
/// </summary>
/// <remarks>
/// Fallback when an SSH.NET upgrade moves any of this (a row of <see cref="SshNetSeams"/>), and on .NET Framework (no
/// DispatchProxy in netstandard2.0): <see cref="CanSend"/> is false and a command that asks for variables or a terminal
/// is refused with <see cref="NotSupportedException"/> before anything is sent.
/// </remarks>
internal static class ChannelRequests
{
    private static readonly FieldInfo? ChannelField = SshNetSeams.ChannelRequests.Members.Channel;
    private static readonly MethodInfo? SendEnvironment = SshNetSeams.ChannelRequests.Members.SendEnvironment;
    private static readonly MethodInfo? SendPty = SshNetSeams.ChannelRequests.Members.SendPty;

    /// <summary>Whether requests can be sent before a command's exec request.</summary>
    public static bool CanSend =>
#if NET8_0_OR_GREATER
        SshNetSeams.ChannelRequests.IsAvailable;
#else
        false;
#endif

    /// <summary>What to send, in order, once the channel is open.</summary>
    /// <param name="Environment">Variables, each an <c>env</c> request; <c>Required</c> ones throw when refused.</param>
    /// <param name="Terminal">A <c>pty-req</c> (type, width, height), or null.</param>
    /// <param name="Refused">Builds the error for a refused request (name of the request, variable name or null).</param>
    /// <param name="Ignored">Told of a refused variable that is not required (from ssh_config, as ssh ignores those).</param>
    internal sealed record Plan(
        IReadOnlyList<(string Name, string Value, bool Required)> Environment,
        (string Type, uint Width, uint Height)? Terminal,
        Func<string, string?, Exception> Refused,
        Action<string> Ignored);

    /// <summary>Arranges for <paramref name="plan"/> to be sent when <paramref name="command"/> opens its channel; call before it starts.</summary>
    /// <returns>False when the seam is missing (see <see cref="CanSend"/>).</returns>
    public static bool TryAttach(SshCommand command, Plan plan)
    {
#if NET8_0_OR_GREATER
        if (!CanSend || ChannelField!.GetValue(command) is not { } channel)
        {
            return false;
        }

        ChannelField.SetValue(command, RequestingChannel.Create(ChannelField.FieldType, channel, plan));
        return true;
#else
        return false;
#endif
    }

#if NET8_0_OR_GREATER
    /// <summary>
    /// Passes every call to SSH.NET's channel; after <c>Open()</c>, sends the plan's requests (if any). With a
    /// <c>sendExec</c> (<see cref="AwaitedChannel"/>, which opened the channel), <c>Open()</c> does nothing and the exec
    /// request goes there instead of to SSH.NET's channel, which would wait for its answer.
    /// </summary>
    internal class RequestingChannel : DispatchProxy
    {
        private object _target = null!;
        private Plan? _plan;
        private Func<string, bool>? _sendExec;

        /// <summary>SSH.NET's channel behind this proxy.</summary>
        public object Target => _target;

        public static object Create(Type contract, object target, Plan? plan, Func<string, bool>? sendExec = null)
        {
            var proxy = (RequestingChannel)Create(contract, typeof(RequestingChannel));
            proxy._target = target;
            proxy._plan = plan;
            proxy._sendExec = sendExec;
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (_sendExec is not null && targetMethod.Name == "SendExecRequest")
            {
                return _sendExec((string)args![0]!);
            }

            if (_sendExec is not null && targetMethod.Name == "Open")
            {
                return null; // opened already, by AwaitedChannel: SSH.NET's Open would open a channel the server closed again, blocking
            }

            var result = Reflected.Call(targetMethod, _target, args);
            if (targetMethod.Name == "Open" && _plan is not null)
            {
                SendPlan(_plan);
            }

            return result;
        }

        private void SendPlan(Plan plan)
        {
            foreach (var (name, value, required) in plan.Environment)
            {
                if ((bool)Reflected.Call(SendEnvironment!, _target, [name, value])!)
                {
                    continue;
                }

                if (required)
                {
                    throw plan.Refused("env", name);
                }

                plan.Ignored(name);
            }

            if (plan.Terminal is { } terminal)
            {
                var accepted = (bool)Reflected.Call(SendPty!, _target, [terminal.Type, terminal.Width, terminal.Height, 0u, 0u, new Dictionary<TerminalModes, uint>()])!;
                if (!accepted)
                {
                    throw plan.Refused("pty-req", null);
                }
            }
        }
    }
#endif
}
