using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.Extensions.Logging;
using ParamikoJump.Logging;
using Renci.SshNet;
using Renci.SshNet.Common;

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
    public static List<KeyOffer> Discover(string? homeDirectory, string? passphrase, HopIdentity hop, ILogger logger, ICollection<(string Path, string Reason)> skipped)
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

            offers.AddRange(KeyOffer.From(key, path));
        }

        return offers;
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
