using ParamikoJump.HostKeys;

namespace ParamikoJump.Tests.HostKeys;

/// <summary>
/// Which lines of a known_hosts file name a host, and with which marker, compared with OpenSSH's own answer
/// (<c>ssh-keygen -F name -f file</c>) on the same file, plain and hashed (<c>ssh-keygen -H</c>).
/// </summary>
public class ConformanceTests
{
    public static readonly TheoryData<string> Names =
    [
        "host1", "host2", "host3", "host4", "host6", "host7", "host8", "hest9", "hoost9",
        "a.example.com", "bad.example.com", "x.bad.example.com", "deep.a.example.com", "example.com",
        "[host1]:2222", "host1:2222", "[host1]:22", "[hx]:22", "hx",
        "x.ca.test", "[x.ca.test]:2222", "[no.ca.test]:2222", "ca.test",
        "10.0.0.1", "10.0.0.13", "10.0.0.130", "[10.0.0.1]:2200", "::1", "[::1]:2200",
        "neg-only", "anything", "hostonly", "hostnokey", "multi", "spaced", "foo.example.org",
        "axbyczd", "abcd", "abcdd", "crlf-host", "[empty]:1",
    ];

    private static readonly Lazy<(string Plain, string Hashed)> Files = new(WriteFiles);

    [Theory]
    [MemberData(nameof(Names))]
    public void Lines_found_for_a_name_are_the_ones_OpenSSH_finds(string name) =>
        AssertSameAsOpenSsh(Files.Value.Plain, name);

    [Theory]
    [MemberData(nameof(Names))]
    public void Lines_found_for_a_name_in_a_hashed_file_are_the_ones_OpenSSH_finds(string name) =>
        AssertSameAsOpenSsh(Files.Value.Hashed, name);

    [Fact]
    public void Random_patterns_and_names_match_as_OpenSSH_matches_them()
    {
        var random = new Random(4242);
        var directory = TestDirectories.Create("pj-conf-");
        var file = Path.Combine(directory, "known_hosts");
        var key = string.Join(' ', KeyMaterial.Instance.Ed25519A.Split(' ').Take(2));
        const string alphabet = "ab.*?";
        string Word(int max) => new([.. Enumerable.Range(0, random.Next(1, max)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
        var lines = Enumerable.Range(0, 300).Select(_ =>
            string.Join(',', Enumerable.Range(0, random.Next(1, 4)).Select(_ => (random.Next(4) == 0 ? "!" : "") + Word(6))) + " " + key);
        File.WriteAllLines(file, lines);
        var store = new KnownHosts();
        store.LoadSystemHostKeys(file);

        for (var i = 0; i < 60; i++)
        {
            var name = Word(7).Replace("*", "a", StringComparison.Ordinal).Replace("?", "b", StringComparison.Ordinal);
            Assert.Equal(SshKeygen.Find(name, file), Ours(store, name));
        }
    }

    [Fact]
    public void Damaged_lines_name_the_same_hosts_as_OpenSSH_reads_them()
    {
        var keys = KeyMaterial.Instance;
        var originals = new[]
        {
            $"host1,*.example.com,!bad.example.com {keys.Ed25519A}",
            $"@cert-authority *.ca.test {keys.Ca}",
            $"@revoked host1 {keys.Ecdsa}",
            $"[host1]:2222 {keys.Ed25519B}",
        };
        var random = new Random(5);
        var lines = new List<string>();
        for (var i = 0; i < 400; i++)
        {
            var chars = originals[i % originals.Length].ToCharArray();
            for (var flips = random.Next(1, 3); flips > 0; flips--)
            {
                // Printable ASCII and tabs only: OpenSSH reads bytes as C strings, .NET reads UTF-8 text.
                var at = random.Next(Math.Min(chars.Length, 60));
                var flipped = (char)(chars[at] ^ (1 << random.Next(7)));
                chars[at] = flipped is '\t' || (flipped >= ' ' && flipped < (char)127) ? flipped : chars[at];
            }

            lines.Add(new string(chars));
        }

        var file = Path.Combine(TestDirectories.Create("pj-conf-"), "known_hosts");
        File.WriteAllLines(file, lines);
        var store = new KnownHosts();
        store.LoadSystemHostKeys(file);

        foreach (var name in new[] { "host1", "a.example.com", "bad.example.com", "x.ca.test", "[host1]:2222", "host" })
        {
            Assert.Equal(SshKeygen.Find(name, file), Ours(store, name));
        }
    }

    private static void AssertSameAsOpenSsh(string file, string name)
    {
        var store = new KnownHosts();
        store.LoadSystemHostKeys(file);

        Assert.Equal(SshKeygen.Find(name, file), Ours(store, name));
    }

    private static List<(int Line, string Marker)> Ours(KnownHosts store, string name) =>
        store.LinesFor(name).Select(l => (l.Number, l.Marker switch
        {
            KnownHostsMarker.CertAuthority => "CA",
            KnownHostsMarker.Revoked => "REVOKED",
            _ => "",
        })).ToList();

    private static (string Plain, string Hashed) WriteFiles()
    {
        var keys = KeyMaterial.Instance;
        string K(string line) => string.Join(' ', line.Split(' ').Take(2));
        var a = K(keys.Ed25519A);
        var b = K(keys.Ed25519B);
        var c = K(keys.Ecdsa);
        var ca = K(keys.Ca);
        var text = string.Join(
            "\n",
            "# comment line",
            $"host1,host2 {a} first key",
            $"*.example.com,!bad.example.com {b}",
            $"[host1]:2222 {c}",
            $"@revoked host3 {a}",
            $"@cert-authority *.ca.test {ca}",
            "host4 ssh-ed25519 AAAAbroken",
            $"   host6\t{a}",
            $"@bogus host7 {a}",
            $"HoSt8 {a}",
            $"h?st9 {a}",
            $"[h*]:22 {a}",
            $"10.0.0.*,!10.0.0.13 {b}",
            $"[10.0.0.1]:2200 {c}",
            $"::1 {a}",
            $"[::1]:2200 {b}",
            $"!neg-only {a}",
            $"host1 {b}",
            $"host1 {c}",
            "",
            "hostonly",
            "hostnokey ssh-ed25519",
            "@revoked",
            $"@cert-authority [*.ca.test]:2222,!no.ca.test {ca}",
            $"multi,  spaced {a}",
            $"*.EXAMPLE.org {a}",
            $"a*b*c?d {a}",
            $"crlf-host {a}\r",
            $"[empty]:1 {a} trailing comment with spaces   ") + "\n";
        var directory = TestDirectories.Create("pj-conf-");
        var plain = Path.Combine(directory, "known_hosts");
        var hashed = Path.Combine(directory, "known_hosts.hashed");
        File.WriteAllText(plain, text);
        File.WriteAllText(hashed, text);
        SshKeygen.Run("-q", "-H", "-f", hashed);
        return (plain, hashed);
    }
}
