using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.Extensions.Logging;
using ParamikoJump.Configuration;
using ParamikoJump.Keys.Agent;
using ParamikoJump.Logging;

namespace ParamikoJump.Keys;

/// <summary>
/// The public keys one hop offers, decided at each login: keys given explicitly, then the agent's (read now,
/// so a key added after construction is used), then the default identity files, the same key once, and no
/// more offers than leave the server's MaxAuthTries room for the methods that follow.
/// </summary>
internal sealed class PublicKeyPlan
{
    /// <summary>OpenSSH's default MaxAuthTries (sshd_config(5)).</summary>
    public const int DefaultMaxAuthTries = 6;

    private readonly IReadOnlyList<KeyOffer> _explicit;
    private readonly IReadOnlyList<KeyOffer> _discovered;
    private readonly AgentClient? _agent;
    private readonly HopIdentity _hop;
    private readonly ILogger _logger;
    private readonly HashSet<string>? _agentFilter;
    private readonly IReadOnlyList<string> _accepted;
    private int _maxAuthTries = DefaultMaxAuthTries;

    /// <summary>
    /// A plan; <paramref name="agentFilter"/> is, with IdentitiesOnly, the only agent keys (base64 blobs) that may be
    /// offered, otherwise null; <paramref name="accepted"/> is PubkeyAcceptedAlgorithms resolved (null: ssh's defaults).
    /// </summary>
    public PublicKeyPlan(IReadOnlyList<KeyOffer> explicitOffers, IReadOnlyList<KeyOffer> discovered, AgentClient? agent, HopIdentity hop, ILogger logger, HashSet<string>? agentFilter = null, IReadOnlyList<string>? accepted = null)
    {
        _agentFilter = agentFilter;
        _accepted = accepted ?? AlgorithmLists.Defaults(AlgorithmKind.PubkeyAcceptedAlgorithms);
        _explicit = explicitOffers;
        _discovered = discovered;
        _agent = agent;
        _hop = hop;
        _logger = logger;
    }

    /// <summary>Whether there may be anything to offer (the agent is asked only at login).</summary>
    public bool MayOffer => _explicit.Count > 0 || _discovered.Count > 0 || _agent is not null;

    /// <summary>The server's MaxAuthTries; every refused offer counts against it.</summary>
    public int MaxAuthTries
    {
        get => _maxAuthTries;
        set => _maxAuthTries = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxAuthTries is at least 1.");
    }

    /// <summary>Tries kept for the methods after publickey (one each for password and keyboard-interactive).</summary>
    public int ReservedTries { get; set; }

    /// <summary>The keys to offer now, in order.</summary>
    public IReadOnlyList<KeyOffer> Resolve()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var offers = _explicit.Concat(AgentOffers()).Concat(_discovered)
            .Where(offer => seen.Add(Convert.ToBase64String(offer.Blob)))
            .SelectMany(Allowed)
            .ToList();
        var limit = Math.Max(1, MaxAuthTries - ReservedTries);
        if (offers.Count > limit)
        {
            Log.KeysCapped(_logger, _hop.ToString(), limit, offers.Count, MaxAuthTries, string.Join(", ", offers.Skip(limit)));
            offers.RemoveRange(limit, offers.Count - limit);
        }

        foreach (var offer in offers)
        {
            Log.KeyOffered(_logger, _hop.ToString(), offer.ToString());
        }

        return offers;
    }

    private IReadOnlyList<KeyOffer> Allowed(KeyOffer offer)
    {
        var allowed = offer.Allowed(_accepted);
        if (allowed.Count == 0)
        {
            Log.KeySkipped(_logger, _hop.ToString(), offer.ToString(), $"none of its algorithms ({string.Join(",", offer.Alternatives.Select(a => a.Name))}) is in PubkeyAcceptedAlgorithms");
        }

        return allowed;
    }

    private List<KeyOffer> AgentOffers()
    {
        if (_agent is null)
        {
            return [];
        }

        IReadOnlyList<AgentIdentity> identities;
        try
        {
            identities = _agent.ListIdentities();
        }
        catch (IOException ex)
        {
            Log.AgentUnavailable(_logger, _hop.ToString(), _agent.SocketPath, ex.Message);
            return [];
        }

        if (identities.Count == 0)
        {
            Log.AgentUnavailable(_logger, _hop.ToString(), _agent.SocketPath, "it holds no keys, or is locked");
        }

        if (_agentFilter is { } allowed)
        {
            var kept = identities.Where(identity => allowed.Contains(Convert.ToBase64String(identity.Blob))).ToList();
            if (kept.Count < identities.Count)
            {
                Log.AgentKeysFiltered(_logger, _hop.ToString(), identities.Count - kept.Count);
            }

            identities = kept;
        }

        return identities.Select(identity =>
        {
            var algorithms = AgentSigningAlgorithm.AllFor(identity, _agent, _hop);
            return new KeyOffer(algorithms[0], $"ssh-agent key '{identity.Comment}'", algorithms);
        }).ToList();
    }
}
