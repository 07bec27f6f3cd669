using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ParamikoJump.HostKeys;
using Microsoft.Extensions.Logging;
using ParamikoJump.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Security;

namespace ParamikoJump.Keys;

/// <summary>Loads private key files, with their <c>-cert.pub</c> certificates, the way ssh and paramiko do.</summary>
internal static class KeyFiles
{
    /// <summary>OpenSSH's default identity files in its order (ssh_config(5), IdentityFile, OpenSSH 9.2).</summary>
    public static readonly IReadOnlyList<string> DefaultNames = ["id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_dsa"];

    /// <summary>Loads a key file the user named; any problem is an error that names the file.</summary>
    /// <exception cref="HopKeyException">The file or its certificate cannot be read or decrypted.</exception>
    public static PrivateKeyFile LoadExplicit(string path, string? passphrase, HopIdentity hop)
    {
        var certificate = CertificateOf(path);
        try
        {
            return new PrivateKeyFile(path, passphrase, certificate);
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            if (certificate is not null && TryLoad(path, passphrase) is { } withoutCertificate)
            {
                withoutCertificate.Dispose();
                throw new HopKeyException($"The certificate '{certificate}' of key file '{path}' could not be loaded: {ex.Message}", hop, HopStage.Setup, certificate, ex);
            }

            throw new HopKeyException($"The key file '{path}' could not be loaded: {WhyNot(path, passphrase, ex)}.", hop, HopStage.Setup, path, ex);
        }
    }

    /// <summary>
    /// The default identity files under <paramref name="homeDirectory"/> that load. A file that cannot be used
    /// (encrypted with no working passphrase, unsupported type, unreadable) is skipped with a log line and a
    /// note, as ssh does when it cannot ask for a passphrase.
    /// </summary>
    public static List<KeyOffer> Discover(string? homeDirectory, string? passphrase, HopIdentity hop, ILogger logger, ICollection<(string Path, string Reason)> skipped, IReadOnlyList<CertificateFile>? certificates = null)
    {
        var offers = new List<KeyOffer>();
        if (homeDirectory is null)
        {
            return offers;
        }

        foreach (var name in DefaultNames)
        {
            var path = Path.Combine(homeDirectory, ".ssh", name);
            if (!File.Exists(path))
            {
                continue;
            }

            var certificate = CertificateOf(path);
            PrivateKeyFile? key;
            try
            {
                key = new PrivateKeyFile(path, passphrase, certificate);
            }
            catch (Exception ex) when (IsLoadFailure(ex))
            {
                key = certificate is null ? null : TryLoad(path, passphrase);
                if (key is null)
                {
                    var reason = WhyNot(path, passphrase, ex);
                    skipped.Add((path, reason));
                    Log.KeySkipped(logger, hop.ToString(), path, reason);
                    continue;
                }

                Log.KeySkipped(logger, hop.ToString(), certificate!, $"the certificate could not be loaded ({ex.Message.TrimEnd('.')}); offering the key alone");
            }

            if (certificates is { Count: > 0 })
            {
                offers.AddRange(CertifiedOffers(path, passphrase, certificates, logger, hop));
            }

            offers.AddRange(KeyOffer.From(key, path));
        }

        return offers;
    }

    /// <summary>Reads certificate files (ssh's <c>CertificateFile</c>); one that cannot be read is an error naming it.</summary>
    /// <exception cref="HopKeyException">A file is missing, unreadable, or holds no OpenSSH certificate.</exception>
    public static IReadOnlyList<CertificateFile> LoadCertificates(IEnumerable<string> paths, HopIdentity hop)
    {
        var loaded = new List<CertificateFile>();
        foreach (var path in paths)
        {
            try
            {
                var text = File.ReadAllText(path);
                var blob = PublicKeyBlob(text) ?? throw new FormatException("it holds no public key line");
                loaded.Add(new CertificateFile(path, text, new Certificate(blob)));
            }
            catch (Exception ex) when (IsLoadFailure(ex))
            {
                var reason = ex is FileNotFoundException or DirectoryNotFoundException ? "it does not exist" : ex.Message.TrimEnd('.');
                throw new HopKeyException($"The certificate file '{path}' could not be loaded: {reason}.", hop, HopStage.Setup, path, ex);
            }
        }

        return loaded;
    }

    /// <summary>
    /// The certificate offers of the key in <paramref name="path"/>: one per certificate of
    /// <paramref name="certificates"/> that certifies it (the key itself is offered by the caller).
    /// </summary>
    public static List<KeyOffer> CertifiedOffers(string path, string? passphrase, IReadOnlyList<CertificateFile> certificates, ILogger logger, HopIdentity hop)
    {
        var offers = new List<KeyOffer>();
        if (certificates.Count == 0)
        {
            return offers;
        }

        byte[] keyBytes;
        Key key;
        try
        {
            keyBytes = File.ReadAllBytes(path);
            using var plain = new PrivateKeyFile(new MemoryStream(keyBytes), passphrase);
            key = plain.Key;
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            // The key alone fails the same way where the caller loads it, with the error or log line that belongs there.
            return offers;
        }

        foreach (var certificate in certificates.Where(c => c.Certifies(key)))
        {
            try
            {
                using var text = new MemoryStream(Encoding.UTF8.GetBytes(certificate.Text));
                var certified = new PrivateKeyFile(new MemoryStream(keyBytes), passphrase, text);
                offers.AddRange(KeyOffer.From(certified, certificate.Path).Where(offer => SshKeyBlob.IsCertificate(offer.Blob)));
                certificate.Used = true;
            }
            catch (Exception ex) when (IsLoadFailure(ex))
            {
                Log.KeySkipped(logger, hop.ToString(), certificate.Path, $"it could not be paired with {path} ({ex.Message.TrimEnd('.')})");
            }
        }

        return offers;
    }

    /// <summary>Logs the certificate files that certified none of the keys.</summary>
    public static void LogUnused(IReadOnlyList<CertificateFile> certificates, ILogger logger, HopIdentity hop)
    {
        foreach (var certificate in certificates.Where(c => !c.Used))
        {
            Log.KeySkipped(logger, hop.ToString(), certificate.Path, "it certifies none of the keys of this hop's key files");
        }
    }

    /// <summary>The public keys an <c>IdentitiesOnly</c> hop may take from the agent: those of its own offers.</summary>
    public static HashSet<string> IdentityBlobs(IEnumerable<KeyOffer> offers) =>
        new(offers.Select(offer => Convert.ToBase64String(offer.Blob)), StringComparer.Ordinal);

    /// <summary>The blob of the first <c>type base64 [comment]</c> line of an OpenSSH public key or certificate file.</summary>
    private static byte[]? PublicKeyBlob(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                return null;
            }

            try
            {
                return Convert.FromBase64String(fields[1]);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }

    private static string? CertificateOf(string path)
    {
        var certificate = path + "-cert.pub";
        return File.Exists(certificate) ? certificate : null;
    }

    private static PrivateKeyFile? TryLoad(string path, string? passphrase)
    {
        try
        {
            return new PrivateKeyFile(path, passphrase);
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            return null;
        }
    }

    private static string WhyNot(string path, string? passphrase, Exception error) => error switch
    {
        SshPassPhraseNullOrEmptyException => "it is encrypted and no passphrase was given (pass passphrase, or password, which is also tried for keys)",
        FileNotFoundException or DirectoryNotFoundException => "it does not exist",
        UnauthorizedAccessException => "it cannot be read (permission denied)",
        _ when IsEncrypted(path) => string.IsNullOrEmpty(passphrase)
            ? "it is encrypted and no passphrase was given (pass passphrase, or password, which is also tried for keys)"
            : "it is encrypted and the passphrase did not decrypt it",
        _ => error.Message.TrimEnd('.'),
    };

    /// <summary>Whether a key file is encrypted, judged without a passphrase (the wrong one fails differently per format).</summary>
    private static bool IsEncrypted(string path)
    {
        try
        {
            using var key = new PrivateKeyFile(path, passPhrase: null);
            return false;
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            return true;
        }
        catch (Exception ex) when (IsLoadFailure(ex))
        {
            // PKCS#8 files fail to decrypt before SSH.NET can say they need a passphrase; their header says so.
            return File.ReadAllText(path).Contains("ENCRYPTED");
        }
    }

    /// <summary>
    /// What a key file that cannot be used throws: SSH.NET's own errors, I/O errors, and whatever its parsers
    /// (BCL and BouncyCastle) throw on data decrypted with a wrong passphrase.
    /// </summary>
    private static bool IsLoadFailure(Exception error) => error is not OutOfMemoryException;
}

/// <summary>A certificate file (ssh's <c>CertificateFile</c>), read once per hop, paired with the keys it certifies.</summary>
internal sealed class CertificateFile
{
    public CertificateFile(string path, string text, Certificate certificate)
    {
        Path = path;
        Text = text;
        Certificate = certificate;
    }

    public string Path { get; }

    public string Text { get; }

    public Certificate Certificate { get; }

    /// <summary>Whether it certified at least one key of the hop.</summary>
    public bool Used { get; set; }

    public bool Certifies(Key key) => Certificate.Key.Public.SequenceEqual(key.Public);
}
