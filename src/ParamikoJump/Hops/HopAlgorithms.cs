using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;
using ParamikoJump.Configuration;
using ParamikoJump.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace ParamikoJump.Hops;

/// <summary>
/// The algorithms one hop offers. SSH.NET offers SHA-1 key exchange, <c>ssh-rsa</c> (SHA-1) host keys and CBC ciphers
/// by default; ssh does not, so each hop's own ConnectionInfo is trimmed to OpenSSH's client defaults, or to the lists
/// its settings make of them (ssh's <c>+</c>/<c>-</c>/<c>^</c> syntax), keeping only what SSH.NET implements.
/// SSH.NET's static defaults are never touched: every ConnectionInfo has dictionaries of its own.
/// </summary>
internal static class HopAlgorithms
{
    private static readonly AlgorithmKind[] Kinds = [AlgorithmKind.KexAlgorithms, AlgorithmKind.HostKeyAlgorithms, AlgorithmKind.Ciphers, AlgorithmKind.MACs];

    /// <summary>SSH.NET's own lists, as a ConnectionInfo nobody changed has them.</summary>
    private static readonly Lazy<Dictionary<AlgorithmKind, string[]>> SshNetDefaults = new(() =>
    {
        var fresh = new ConnectionInfo("localhost", "user", new NoneAuthenticationMethod("user"));
        return Kinds.ToDictionary(kind => kind, kind => Names(fresh, kind).ToArray());
    });

    /// <summary>The setting of <paramref name="kind"/> in <paramref name="settings"/>.</summary>
    public static string? SpecOf(HopSettings settings, AlgorithmKind kind) => kind switch
    {
        AlgorithmKind.KexAlgorithms => settings.KexAlgorithms,
        AlgorithmKind.HostKeyAlgorithms => settings.HostKeyAlgorithms,
        AlgorithmKind.Ciphers => settings.Ciphers,
        AlgorithmKind.MACs => settings.MACs,
        _ => settings.PubkeyAcceptedAlgorithms,
    };

    /// <summary>
    /// What <paramref name="spec"/> makes of ssh's defaults, limited to what SSH.NET implements, in order.
    /// </summary>
    /// <exception cref="ArgumentException">ssh would refuse the spec, or nothing SSH.NET implements is left.</exception>
    public static IReadOnlyList<string> Usable(AlgorithmKind kind, string? spec, string hostForErrors) =>
        TryUsable(kind, spec, hostForErrors, out var usable, out var problem) ? usable : throw new ArgumentException(problem, kind.ToString());

    /// <summary>As <see cref="Usable"/>, with what is wrong as text instead of an exception.</summary>
    public static bool TryUsable(AlgorithmKind kind, string? spec, string hostForErrors, out IReadOnlyList<string> usable, out string problem)
    {
        IReadOnlyList<string> wanted;
        try
        {
            wanted = AlgorithmLists.Resolve(kind, spec);
        }
        catch (FormatException ex)
        {
            (usable, problem) = ([], $"{hostForErrors}: {ex.Message}");
            return false;
        }

        if (kind == AlgorithmKind.PubkeyAcceptedAlgorithms)
        {
            // Not a list offered in the key exchange: each key's own algorithms are matched against it at login.
            (usable, problem) = (wanted, string.Empty);
            return true;
        }

        var implemented = SshNetDefaults.Value[kind];
        usable = wanted.Where(name => implemented.Contains(name, StringComparer.Ordinal)).ToList();
        problem = usable.Count > 0 ? string.Empty : $"{hostForErrors}: {kind} '{spec}' leaves no algorithm SSH.NET implements ({string.Join(",", implemented)}).";
        return usable.Count > 0;
    }

    /// <summary>Trims a ConnectionInfo the hop built itself to the settings' lists.</summary>
    public static void Apply(ConnectionInfo info, HopSettings settings, HopIdentity hop, ILogger logger)
    {
        foreach (var kind in Kinds)
        {
            var spec = SpecOf(settings, kind);
            var usable = Usable(kind, spec, settings.Host);
            Keep(info, kind, usable);
            if (spec is not null)
            {
                LogLeftOut(kind, spec, usable, hop, logger);
            }
        }

        if (settings.Ciphers is null)
        {
            PreferAesGcm(info);
        }
    }

    /// <summary>Names the settings asked for (not ssh's defaults they build on) that SSH.NET cannot offer.</summary>
    private static void LogLeftOut(AlgorithmKind kind, string spec, IReadOnlyList<string> usable, HopIdentity hop, ILogger logger)
    {
        var defaults = AlgorithmLists.Defaults(kind);
        var leftOut = AlgorithmLists.Resolve(kind, spec)
            .Where(name => !usable.Contains(name, StringComparer.Ordinal) && (spec[0] is not ('+' or '^') || !defaults.Contains(name, StringComparer.Ordinal)))
            .ToList();
        if (leftOut.Count > 0 && spec[0] != '-')
        {
            Log.AlgorithmsNotImplemented(logger, hop.ToString(), kind.ToString(), string.Join(",", leftOut));
        }
    }

    /// <summary>
    /// A ConnectionInfo the user built keeps the lists they changed; a list still as SSH.NET made it loses what ssh's
    /// defaults leave out, in SSH.NET's order.
    /// </summary>
    public static void TrimUntouched(ConnectionInfo given, ConnectionInfo copy)
    {
        foreach (var kind in Kinds)
        {
            if (Names(given, kind).SequenceEqual(SshNetDefaults.Value[kind], StringComparer.Ordinal))
            {
                var allowed = AlgorithmLists.Defaults(kind);
                Keep(copy, kind, Names(copy, kind).Where(name => allowed.Contains(name, StringComparer.Ordinal)).ToList());
            }
        }
    }

    /// <summary>
    /// SSH.NET's "no matching algorithm (server offers ...)" as a <see cref="HopAlgorithmException"/> that names both
    /// lists and the option that opts in, or <see langword="null"/> for any other error.
    /// </summary>
    public static HopAlgorithmException? Translate(Exception error, HopIdentity hop, ConnectionInfo? info)
    {
        if (error is not SshConnectionException || info is null)
        {
            return null;
        }

        const string Prefix = "No matching ";
        const string Offers = "(server offers ";
        var message = error.Message;
        var offers = message.IndexOf(Offers, StringComparison.Ordinal);
        if (!message.StartsWith(Prefix, StringComparison.Ordinal) || offers < 0)
        {
            return null;
        }

        var what = message.Substring(Prefix.Length, offers - Prefix.Length);
        AlgorithmKind? kind = what.StartsWith("key exchange", StringComparison.Ordinal) ? AlgorithmKind.KexAlgorithms
            : what.StartsWith("host key", StringComparison.Ordinal) ? AlgorithmKind.HostKeyAlgorithms
            : what.Contains("encryption") ? AlgorithmKind.Ciphers
            : what.Contains("MAC") ? AlgorithmKind.MACs
            : null;
        if (kind is null)
        {
            return null;
        }

        var listEnd = message.LastIndexOf(')');
        var start = offers + Offers.Length;
        var serverList = listEnd > start ? message.Substring(start, listEnd - start) : message.Substring(start);
        var server = serverList.Split([','], StringSplitOptions.RemoveEmptyEntries).Select(name => ServerText.Escape(name.Trim())).ToList();
        return new HopAlgorithmException(hop, kind.Value.ToString(), Names(info, kind.Value).ToList(), server, error);
    }

    private static IEnumerable<string> Names(ConnectionInfo info, AlgorithmKind kind) => kind switch
    {
        AlgorithmKind.KexAlgorithms => info.KeyExchangeAlgorithms.Keys,
        AlgorithmKind.HostKeyAlgorithms => info.HostKeyAlgorithms.Keys,
        AlgorithmKind.Ciphers => info.Encryptions.Keys,
        _ => info.HmacAlgorithms.Keys,
    };

    private static void Keep(ConnectionInfo info, AlgorithmKind kind, IReadOnlyList<string> names)
    {
        switch (kind)
        {
            case AlgorithmKind.KexAlgorithms:
                Keep(info.KeyExchangeAlgorithms, names);
                break;
            case AlgorithmKind.HostKeyAlgorithms:
                Keep(info.HostKeyAlgorithms, names);
                break;
            case AlgorithmKind.Ciphers:
                Keep(info.Encryptions, names);
                break;
            default:
                Keep(info.HmacAlgorithms, names);
                break;
        }
    }

    private static void Keep<TValue>(IOrderedDictionary<string, TValue> offered, IReadOnlyList<string> names)
    {
        foreach (var name in offered.Keys.Where(name => !names.Contains(name, StringComparer.Ordinal)).ToList())
        {
            offered.Remove(name);
        }

        for (var position = 0; position < names.Count; position++)
        {
            offered.SetPosition(names[position], position);
        }
    }

    /// <summary>
    /// Of ssh's default ciphers, AES-GCM goes first: it encrypts and authenticates in one pass on the platform's AES
    /// instructions, and through a jump every byte is encrypted once per hop, so its cost multiplies. A hop given its
    /// own Ciphers keeps their order.
    /// </summary>
    private static void PreferAesGcm(ConnectionInfo info)
    {
#if NET8_0_OR_GREATER
        if (!System.Security.Cryptography.AesGcm.IsSupported)
        {
            return;
        }

        string[] preferred = ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com"];
        var position = 0;
        foreach (var name in preferred)
        {
            if (info.Encryptions.ContainsKey(name))
            {
                info.Encryptions.SetPosition(name, position++);
            }
        }
#endif
    }
}
