using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using ParamikoJump.Configuration;
using ParamikoJump.Logging;
using ParamikoJump.SshNet;
using Renci.SshNet;

namespace ParamikoJump.Execution;

/// <summary>
/// The <c>env</c> and <c>pty-req</c> requests a command gets before its exec request: the hop's <c>SendEnv</c> and
/// <c>SetEnv</c> (best effort, as ssh: a refused variable is dropped with a log line) and the call's
/// <see cref="CommandOptions"/> (required: a refused variable or terminal stops the command before it starts).
/// </summary>
internal static class CommandSetup
{
    /// <summary>Attaches the requests to <paramref name="command"/> before it starts; nothing when there are none.</summary>
    /// <exception cref="NotSupportedException">The call asked for variables or a terminal where they cannot be sent.</exception>
    public static void Attach(SshCommand command, HopSettings settings, HopIdentity hop, Microsoft.Extensions.Logging.ILogger logger, CommandOptions? options)
    {
        if (PlanFor(command.CommandText, settings, hop, logger, options) is not { } plan || ChannelRequests.TryAttach(command, plan))
        {
            return;
        }

        if (plan.Environment.Any(variable => variable.Required) || plan.Terminal is not null)
        {
            throw new NotSupportedException(
                $"'{ServerText.Escape(command.CommandText)}' on {hop}: environment variables and a terminal for a command need the net8.0 build of ParamikoJump (this build, or this SSH.NET, cannot send requests before exec).");
        }

        Log.EnvironmentNotSent(logger, hop.ToString(), string.Join(", ", plan.Environment.Select(variable => variable.Name)));
    }

    /// <summary>The requests a command gets before its exec request, in order; null when there are none.</summary>
    public static ChannelRequests.Plan? PlanFor(string commandText, HopSettings settings, HopIdentity hop, Microsoft.Extensions.Logging.ILogger logger, CommandOptions? options)
    {
        var environment = new List<(string Name, string Value, bool Required)>();
        var fromConfig = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in LocalVariables(settings.SendEnv))
        {
            fromConfig[name] = value;
        }

        foreach (var pair in settings.SetEnv)
        {
            fromConfig[pair.Key] = pair.Value;
        }

        var required = options?.Environment ?? new Dictionary<string, string>();
        environment.AddRange(fromConfig.Where(pair => !required.ContainsKey(pair.Key)).OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (pair.Key, pair.Value, false)));
        environment.AddRange(required.Select(pair => (pair.Key, pair.Value, true)));
        (string, uint, uint)? terminal = options is { GetPty: true } ? (options.TerminalType, (uint)Math.Max(1, options.TerminalWidth), (uint)Math.Max(1, options.TerminalHeight)) : null;
        if (environment.Count == 0 && terminal is null)
        {
            return null;
        }

        return new ChannelRequests.Plan(
            environment,
            terminal,
            (request, name) => new CommandRequestRefusedException(hop, commandText, request, name),
            name => Log.EnvironmentVariableRefused(logger, hop.ToString(), name, ServerText.Escape(commandText)));
    }

    private static IEnumerable<(string Name, string Value)> LocalVariables(IEnumerable<string> patterns)
    {
        var list = patterns.ToList();
        if (list.Count == 0)
        {
            yield break;
        }

        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var name = (string)entry.Key;
            var sent = false;
            foreach (var pattern in list)
            {
                if (pattern.StartsWith("-", StringComparison.Ordinal))
                {
                    sent &= !SshPatterns.Match(name, pattern.Substring(1));
                }
                else if (SshPatterns.Match(name, pattern))
                {
                    sent = true;
                }
            }

            if (sent)
            {
                yield return (name, (string?)entry.Value ?? string.Empty);
            }
        }
    }
}
