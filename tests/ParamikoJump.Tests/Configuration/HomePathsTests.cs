using ParamikoJump.Configuration;
using ParamikoJump.Hops;
using ParamikoJump.HostKeys;
using ParamikoJump.Keys;
using ParamikoJump.Tests.HostKeys;
using ParamikoJump.Tests.Keys;

namespace ParamikoJump.Tests.Configuration;

/// <summary>A leading <c>~</c> in every path the library takes, as OpenSSH expands it, and as Win32-OpenSSH does on Windows.</summary>
public sealed class HomePathsTests : IDisposable
{
    private static readonly Dictionary<string, string> Homes = new() { ["bob"] = "/srv/bob" };

    private static readonly HomePaths Unix = new(windows: false, () => "/home/me", user => Homes.GetValueOrDefault(user));

    private static readonly HomePaths Windows = new(windows: true, () => @"C:\Users\me", user => Homes.GetValueOrDefault(user));

    private readonly string _home = Directory.CreateTempSubdirectory("pj-home-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Theory]
    [InlineData("~", "/home/me")]
    [InlineData("~/", "/home/me")]
    [InlineData("~/.ssh/known_hosts", "/home/me/.ssh/known_hosts")]
    [InlineData("~//.ssh/id_ed25519", "/home/me/.ssh/id_ed25519")]
    [InlineData("~bob/.ssh/config", "/srv/bob/.ssh/config")]
    [InlineData("~bob", "/srv/bob")]
    [InlineData("/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts")]
    [InlineData("keys/~/id", "keys/~/id")]
    [InlineData("relative/known_hosts", "relative/known_hosts")]
    public void On_Unix_a_leading_tilde_is_the_home_of_the_user_or_of_the_named_user(string given, string expected) =>
        Assert.Equal(expected, Unix.Expand(given, "path"));

    [Fact]
    public void On_Unix_a_tilde_naming_no_local_user_is_an_error_naming_the_path_and_the_user()
    {
        var error = Assert.Throws<ArgumentException>(() => Unix.Expand("~nobody-here/.ssh/id_rsa", "keyFilenames", "ops@bastion:22"));

        Assert.Equal("keyFilenames", error.ParamName);
        Assert.StartsWith("ops@bastion:22: '~nobody-here/.ssh/id_rsa': there is no local user 'nobody-here'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("~", @"C:\Users\me")]
    [InlineData("~/.ssh/known_hosts", @"C:\Users\me\.ssh/known_hosts")]
    [InlineData(@"~\.ssh\id_ed25519", @"C:\Users\me\.ssh\id_ed25519")]
    [InlineData(@"C:\keys\id_rsa", @"C:\keys\id_rsa")]
    public void On_Windows_a_leading_tilde_is_the_user_profile_with_either_separator(string given, string expected) =>
        Assert.Equal(expected, Windows.Expand(given, "path"));

    [Fact]
    public void On_Windows_another_users_tilde_is_refused_as_Win32_OpenSSH_does()
    {
        var error = Assert.Throws<ArgumentException>(() => Windows.Expand(@"~bob\.ssh\id_rsa", "path"));

        Assert.Contains("not understood on Windows", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void On_Windows_without_a_user_profile_a_tilde_is_an_error_that_says_so()
    {
        var noProfile = new HomePaths(windows: true, () => null, _ => null);

        var error = Assert.Throws<ArgumentException>(() => noProfile.Expand("~/.ssh/known_hosts", "path"));

        Assert.Contains("%USERPROFILE% is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_process_rules_expand_a_tilde_to_the_user_profile_folder()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile).TrimEnd('/');

        Assert.Equal(home + "/.ssh/known_hosts", HomePaths.Current.Expand("~/.ssh/known_hosts", "path"));
        Assert.Equal(_home + "/.ssh/id_rsa", HomePaths.WithHome(_home).Expand("~/.ssh/id_rsa", "path"));
    }

    [Fact]
    public void LoadHostKeys_with_a_tilde_writes_accepted_keys_under_the_home_and_makes_no_tilde_folder()
    {
        var store = new KnownHosts { HomePaths = HomeAt(_home) };

        store.LoadHostKeys("~/.ssh/known_hosts");
        Directory.CreateDirectory(Path.Combine(_home, ".ssh"));
        store.Add("db.internal", SshKeygen.Blob(KeyMaterial.Instance.Ed25519A));

        Assert.Equal(Path.Combine(_home, ".ssh", "known_hosts"), store.WritableFile);
        Assert.Contains("db.internal ssh-ed25519 ", File.ReadAllText(Path.Combine(_home, ".ssh", "known_hosts")), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Environment.CurrentDirectory, "~")));
    }

    [Fact]
    public void SaveHostKeys_and_LoadSystemHostKeys_with_a_tilde_use_the_home()
    {
        var store = new KnownHosts { HomePaths = HomeAt(_home) };
        store.Add("db.internal", SshKeygen.Blob(KeyMaterial.Instance.Ed25519A));

        store.SaveHostKeys("~/saved_hosts");
        var reader = new KnownHosts { HomePaths = HomeAt(_home) };
        reader.LoadSystemHostKeys("~/saved_hosts");

        Assert.True(File.Exists(Path.Combine(_home, "saved_hosts")));
        Assert.Equal(HostKeyVerdict.Known, reader.Check("db.internal", "db.internal", SshKeygen.Blob(KeyMaterial.Instance.Ed25519A), null, DateTimeOffset.UtcNow).Verdict);
    }

    [Fact]
    public void Key_and_certificate_files_with_a_tilde_are_read_from_the_hops_home()
    {
        using var kit = new KeyKit();
        var key = kit.Generate("id_ed25519", "ed25519");
        Directory.CreateDirectory(Path.Combine(_home, ".ssh"));
        File.Copy(key, Path.Combine(_home, ".ssh", "work_key"));

        var plan = HopPlan.FromSettings(new HopSettings("db")
        {
            Username = "admin",
            KeyFilenames = ["~/.ssh/work_key"],
            LookForKeys = false,
            AllowAgent = false,
            KeyEnvironment = new KeyEnvironment(_home, agentSocket: null),
        }, jump: null);

        var offer = Assert.Single(plan.Keys.Resolve());
        Assert.Equal(Path.Combine(_home, ".ssh", "work_key"), offer.Source);
    }

    [Fact]
    public void A_certificate_file_with_a_tilde_is_read_from_the_hops_home_and_offered_with_its_key()
    {
        using var kit = new KeyKit();
        var key = kit.Generate("id_ed25519", "ed25519");
        var certificate = KeyKit.Certify(key, kit.Generate("ca", "ed25519"), "admin");
        Directory.CreateDirectory(Path.Combine(_home, "certs"));
        File.Move(certificate, Path.Combine(_home, "certs", "work-cert.pub"));

        var plan = HopPlan.FromSettings(new HopSettings("db")
        {
            Username = "admin",
            KeyFilenames = [key],
            CertificateFiles = ["~/certs/work-cert.pub"],
            LookForKeys = false,
            AllowAgent = false,
            KeyEnvironment = new KeyEnvironment(_home, agentSocket: null),
        }, jump: null);

        Assert.Equal(["ssh-ed25519-cert-v01@openssh.com", "ssh-ed25519"], plan.Keys.Resolve().Select(o => o.Algorithm.Name));
    }

    [Fact]
    public void A_key_file_naming_an_unknown_users_home_fails_at_construction_naming_the_hop()
    {
        var settings = new HopSettings("db") { Username = "admin", KeyFilenames = ["~no-such-user-pj/.ssh/id_rsa"], KeyEnvironment = KeyTestHops.NoKeys };

        var error = Assert.Throws<ArgumentException>(() => HopPlan.FromSettings(settings, jump: null));

        Assert.StartsWith("admin@db:22: '~no-such-user-pj/.ssh/id_rsa': there is no local user 'no-such-user-pj'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SshConfig_Load_expands_a_tilde_in_the_file_it_is_given()
    {
        // SshConfig.Load reads the process's own home: a folder of this test's own under it, removed afterwards.
        var name = ".pj-home-paths-" + Guid.NewGuid().ToString("N");
        var folder = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), name);
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "config"), "Host db\n    HostName 10.0.0.5\n");

            var config = ParamikoJump.Configuration.SshConfig.Load($"~/{name}/config");

            Assert.Equal("10.0.0.5", config.Resolve("db").HostName);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static HomePaths HomeAt(string home) => new(windows: false, () => home, _ => null);
}
