using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ParamikoJump.Tests.HostKeys;

/// <summary>Runs OpenSSH's ssh-keygen (openssh-client) to make keys and certificates and to ask how it reads a file.</summary>
internal static partial class SshKeygen
{
    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ssh-keygen")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"ssh-keygen {string.Join(' ', arguments)} did not finish.");
        }

        // -F exits 1 when nothing matches; anything else non-zero is a broken test setup.
        if (process.ExitCode > 1)
        {
            throw new InvalidOperationException($"ssh-keygen {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}");
        }

        return stdout.Result;
    }

    /// <summary>A new key pair; returns the public key line (<c>type base64 comment</c>).</summary>
    public static string NewKey(string directory, string name, string type = "ed25519")
    {
        var path = Path.Combine(directory, name);
        Run("-q", "-t", type, "-N", "", "-C", name, "-f", path);
        return File.ReadAllText(path + ".pub").Trim();
    }

    /// <summary>Signs <c>name.pub</c> with the CA <c>ca</c>; returns the certificate line.</summary>
    public static string SignHost(string directory, string ca, string name, string? principals, string validity, bool host = true)
    {
        var arguments = new List<string> { "-q", "-s", Path.Combine(directory, ca), "-I", name, "-V", validity };
        if (host)
        {
            arguments.Add("-h");
        }

        if (principals is not null)
        {
            arguments.AddRange(["-n", principals]);
        }

        arguments.Add(Path.Combine(directory, name + ".pub"));
        Run([.. arguments]);
        return File.ReadAllText(Path.Combine(directory, name + "-cert.pub")).Trim();
    }

    /// <summary>The lines <c>ssh-keygen -F</c> finds for a name: number and marker (<c>""</c>, <c>CA</c> or <c>REVOKED</c>).</summary>
    public static List<(int Line, string Marker)> Find(string name, string file) =>
        FoundLine().Matches(Run("-F", name, "-f", file))
            .Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value))
            .ToList();

    public static byte[] Blob(string publicKeyLine) => Convert.FromBase64String(publicKeyLine.Split(' ')[1]);

    [GeneratedRegex(@"^# Host .* found: line (\d+) ?(\S*)", RegexOptions.Multiline)]
    private static partial Regex FoundLine();
}

/// <summary>Keys and certificates made once for all host-key tests, in a temporary directory.</summary>
internal sealed class KeyMaterial
{
    private static readonly Lazy<KeyMaterial> Shared = new(() => new KeyMaterial());

    private KeyMaterial()
    {
        Directory = TestDirectories.Create("pj-keys-");
        Ed25519A = SshKeygen.NewKey(Directory, "a");
        Ed25519B = SshKeygen.NewKey(Directory, "b");
        Ecdsa = SshKeygen.NewKey(Directory, "c", "ecdsa");
        Ca = SshKeygen.NewKey(Directory, "ca");
        OtherCa = SshKeygen.NewKey(Directory, "ca2");
        (CertForDb, CertHost) = NewCertificate("hostcert", "ca", "db.internal,bastion.example", "-5m:+1h");
    }

    public static KeyMaterial Instance => Shared.Value;

    public string Directory { get; }

    public string Ed25519A { get; }

    public string Ed25519B { get; }

    public string Ecdsa { get; }

    public string Ca { get; }

    public string OtherCa { get; }

    public string CertForDb { get; }

    public string CertHost { get; }

    /// <summary>A fresh certificate over a fresh key, for cases that need their own principals or validity.</summary>
    public (string Certificate, string PlainKey) NewCertificate(string name, string ca, string? principals, string validity, bool host = true)
    {
        var plain = SshKeygen.NewKey(Directory, name);
        return (SshKeygen.SignHost(Directory, ca, name, principals, validity, host), plain);
    }
}

/// <summary>Temporary directories for one test run, under one root removed when the run ends.</summary>
internal static class TestDirectories
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("pj-hostkeys-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        return root;
    });

    public static string Create(string prefix) =>
        Directory.CreateDirectory(Path.Combine(Root.Value, prefix + Guid.NewGuid().ToString("N"))).FullName;
}
