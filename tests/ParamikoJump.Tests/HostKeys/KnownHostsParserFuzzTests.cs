using System.Text;
using ParamikoJump.HostKeys;

namespace ParamikoJump.Tests.HostKeys;

public class KnownHostsParserFuzzTests
{
    [Fact]
    public void Random_lines_never_crash_the_parser_or_a_lookup()
    {
        var random = new Random(1);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            var line = KnownHostsLine.Parse(Encoding.UTF8.GetString(bytes), "fuzz", i + 1);

            _ = line.Names("host1");
            _ = line.Names("[host1]:2222");
        }
    }

    [Fact]
    public void Bit_flipped_valid_lines_never_crash_and_never_vouch_for_a_damaged_key()
    {
        var keys = KeyMaterial.Instance;
        var originals = new[]
        {
            $"host1,*.example.com,!bad.example.com {keys.Ed25519A}",
            $"@cert-authority *.ca.test {keys.Ca}",
            $"@revoked host3 {keys.Ecdsa}",
            $"[host1]:2222 {keys.CertForDb}",
            HostPatterns.Hash("host1") + " " + keys.Ed25519B,
        };
        var random = new Random(2);
        foreach (var original in originals)
        {
            var good = KnownHostsLine.Parse(original, "ok", 1).Key!;
            for (var i = 0; i < 4_000; i++)
            {
                var bytes = Encoding.UTF8.GetBytes(original);
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                var line = KnownHostsLine.Parse(Encoding.UTF8.GetString(bytes), "fuzz", 1);
                _ = line.Names("host1");

                // A key that still decodes is either the original one or well-formed enough to name its own type.
                if (line.Key is { } key && !key.AsSpan().SequenceEqual(good))
                {
                    Assert.Equal(line.KeyType is "rsa-sha2-256" or "rsa-sha2-512" ? "ssh-rsa" : line.KeyType, SshKeyBlob.TypeOf(key));
                }
            }
        }
    }

    [Fact]
    public void A_fuzzed_file_loads_and_answers_lookups()
    {
        var random = new Random(3);
        var keys = KeyMaterial.Instance;
        var lines = new List<string>();
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = Encoding.UTF8.GetBytes($"host{i % 7},[host{i % 5}]:22{i % 3} {keys.Ed25519A}");
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            lines.Add(Encoding.UTF8.GetString(bytes).Replace("\n", "", StringComparison.Ordinal));
        }

        var file = Path.Combine(TestDirectories.Create("pj-fuzz-"), "known_hosts");
        File.WriteAllLines(file, lines);
        var store = new KnownHosts();
        store.LoadSystemHostKeys(file);

        var check = store.Check("host3", "host3", SshKeygen.Blob(keys.Ed25519A), null, DateTimeOffset.UtcNow);

        Assert.Equal(HostKeyVerdict.Known, check.Verdict);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("# host1 ssh-ed25519 AAAA")]
    [InlineData("@cert-authority")]
    [InlineData("@revoked host1")]
    [InlineData("host1")]
    [InlineData("host1 ssh-ed25519")]
    [InlineData("host1 ssh-ed25519 #comment")]
    [InlineData("host1 SSH-ED25519 AAAA")]
    [InlineData("@unknown host1 ssh-ed25519 AAAA")]
    public void Lines_OpenSSH_skips_are_not_entries(string text)
    {
        var line = KnownHostsLine.Parse(text, "t", 1);

        Assert.False(line.IsEntry);
        Assert.False(line.Names("host1"));
        Assert.Equal(text, line.Text);
    }

    [Fact]
    public void A_key_whose_inner_type_differs_from_the_declared_one_names_the_host_but_holds_no_key()
    {
        var ecdsa = KeyMaterial.Instance.Ecdsa.Split(' ')[1];

        var line = KnownHostsLine.Parse($"host1 ssh-ed25519 {ecdsa}", "t", 1);

        Assert.True(line.Names("host1"));
        Assert.Null(line.Key);
    }
}
