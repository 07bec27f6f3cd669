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
    public KeyOffer(HostAlgorithm algorithm, string source)
    {
        Algorithm = algorithm;
        Source = source;
        HostKeyAlgorithms = [algorithm];
        Blob = algorithm.Data;
    }

    public HostAlgorithm Algorithm { get; }

    /// <summary>Where the key came from: a file path, <c>key #n</c>, or the agent and the key's comment.</summary>
    public string Source { get; }

    /// <summary>The public key or certificate blob; offers with equal blobs are the same key.</summary>
    public byte[] Blob { get; }

    public IReadOnlyCollection<HostAlgorithm> HostKeyAlgorithms { get; }

    /// <summary>
    /// One offer per distinct blob of a loaded key, certificates first as OpenSSH tries them, each with the
    /// best algorithm it supports: rsa-sha2-512 before rsa-sha2-256 before ssh-rsa (SHA-1).
    /// </summary>
    public static IEnumerable<KeyOffer> From(IPrivateKeySource key, string source) =>
        key.HostKeyAlgorithms
            .GroupBy(algorithm => Convert.ToBase64String(algorithm.Data), StringComparer.Ordinal)
            .Select(group => new KeyOffer(group.OrderBy(algorithm => Preference(algorithm.Name)).First(), source));

    /// <summary><c>source (algorithm SHA256:...)</c>: identifies the key without any secret.</summary>
    public override string ToString() => $"{Source} ({Algorithm.Name} {SshKeyBlob.Fingerprint(Blob)})";

    private static int Preference(string algorithm) =>
        algorithm.StartsWith("rsa-sha2-512", StringComparison.Ordinal) ? 0
        : algorithm.StartsWith("rsa-sha2-256", StringComparison.Ordinal) ? 1
        : algorithm.StartsWith("ssh-rsa", StringComparison.Ordinal) ? 2
        : 0;
}
