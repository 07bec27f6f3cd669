using System;
using System.Collections.Generic;
using System.Linq;
using ParamikoJump.HostKeys;
using Renci.SshNet;
using Renci.SshNet.Security;

namespace ParamikoJump.Keys;

/// <summary>
/// One public key (or certificate) offered to the server under one algorithm. SSH.NET offers every algorithm
/// of every key, and each refused offer counts against the server's MaxAuthTries; offers are therefore made
/// one per key blob, and counted.
/// </summary>
internal sealed class KeyOffer : IPrivateKeySource
{
    /// <summary>An offer of <paramref name="algorithm"/>; <paramref name="alternatives"/> are every algorithm the same key signs with, best first.</summary>
    public KeyOffer(HostAlgorithm algorithm, string source, IReadOnlyList<HostAlgorithm>? alternatives = null)
    {
        Algorithm = algorithm;
        Source = source;
        HostKeyAlgorithms = [algorithm];
        Blob = algorithm.Data;
        Alternatives = alternatives ?? [algorithm];
    }

    public HostAlgorithm Algorithm { get; }

    /// <summary>Where the key came from: a file path, <c>key #n</c>, or the agent and the key's comment.</summary>
    public string Source { get; }

    /// <summary>The public key or certificate blob; offers with equal blobs are the same key.</summary>
    public byte[] Blob { get; }

    public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms { get; }

    /// <summary>Every algorithm this key can sign with, best first (<see cref="HopSettings.PubkeyAcceptedAlgorithms"/> chooses among them).</summary>
    public IReadOnlyList<HostAlgorithm> Alternatives { get; }

    /// <summary>
    /// One offer per distinct blob of a loaded key, certificates first as OpenSSH tries them, each with the
    /// best algorithm it supports: rsa-sha2-512 before rsa-sha2-256 before ssh-rsa (SHA-1).
    /// </summary>
    public static IEnumerable<KeyOffer> From(IPrivateKeySource key, string source) =>
        key.HostKeyAlgorithms
            .GroupBy(algorithm => Convert.ToBase64String(algorithm.Data), StringComparer.Ordinal)
            .Select(group => group.OrderBy(algorithm => Preference(algorithm.Name)).ToList())
            .Select(best => new KeyOffer(best[0], source, best));

    /// <summary>
    /// The offers of this key that <paramref name="accepted"/> (PubkeyAcceptedAlgorithms, resolved) allows, in its order,
    /// with at most one SHA-2 RSA signature (a server that takes one takes the other): none when it allows none.
    /// </summary>
    public IReadOnlyList<KeyOffer> Allowed(IReadOnlyList<string> accepted)
    {
        var families = new HashSet<string>(StringComparer.Ordinal);
        return Alternatives
            .Where(algorithm => accepted.Contains(algorithm.Name, StringComparer.Ordinal))
            .OrderBy(algorithm => IndexOf(accepted, algorithm.Name))
            .Where(algorithm => families.Add(algorithm.Name.StartsWith("rsa-sha2-", StringComparison.Ordinal) ? "rsa-sha2" : algorithm.Name))
            .Select(algorithm => new KeyOffer(algorithm, Source, Alternatives))
            .ToList();
    }

    /// <summary><c>source (algorithm SHA256:...)</c>: identifies the key without any secret.</summary>
    public override string ToString() => $"{Source} ({Algorithm.Name} {SshKeyBlob.Fingerprint(Blob)})";

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return names.Count;
    }

    private static int Preference(string algorithm) =>
        algorithm.StartsWith("rsa-sha2-512", StringComparison.Ordinal) ? 0
        : algorithm.StartsWith("rsa-sha2-256", StringComparison.Ordinal) ? 1
        : algorithm.StartsWith("ssh-rsa", StringComparison.Ordinal) ? 2
        : 0;
}
