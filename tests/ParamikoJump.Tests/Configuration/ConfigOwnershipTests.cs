using System.Runtime.Versioning;
using ParamikoJump.Configuration;

namespace ParamikoJump.Tests.Configuration;

/// <summary>
/// ssh refuses a configuration file someone else could have written (misc.c secure_permissions): owned by neither
/// root nor the user, or writable by group or others. Checked beside ssh -G itself on the same files.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ConfigOwnershipTests(ConfigFiles files) : IClassFixture<ConfigFiles>
{
    private const uint Nobody = 65534;

    [Fact]
    public void An_included_file_owned_by_another_user_is_refused_naming_it_as_ssh_refuses_it()
    {
        RequireRoot();
        var included = files.Write("User from-nobody\n", $"owned-{Guid.NewGuid():N}.conf");
        Chown(included, Nobody);
        var main = files.Write($"Host a\n  Include {included}\n");

        var error = Assert.Throws<SshConfigException>(() => SshConfig.Load(main).Resolve("a"));

        Assert.Equal(included, error.FilePath);
        Assert.Contains("Bad owner or permissions: the file belongs to uid 65534, neither root nor this user", error.Message, StringComparison.Ordinal);
        var ssh = SshG.Run(main, "a");
        Assert.False(ssh.Ok);
        Assert.Contains("Bad owner or permissions", ssh.Error, StringComparison.Ordinal);
        Assert.Empty(ConfigFiles.Differences(main, "a"));
    }

    [Fact]
    public void A_file_owned_by_the_user_and_writable_only_by_them_is_read()
    {
        var included = files.Write("User mine\n", $"mine-{Guid.NewGuid():N}.conf");
        File.SetUnixFileMode(included, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var main = files.Write($"Host a\n  Include {included}\n");

        Assert.Equal("mine", SshConfig.Load(main).Resolve("a").User);
    }

    [Fact]
    public void Only_the_user_and_root_may_own_the_file()
    {
        RequireRoot();
        var roots = files.Write("User x\n", $"root-{Guid.NewGuid():N}.conf");
        var nobodys = files.Write("User x\n", $"nobody-{Guid.NewGuid():N}.conf");
        Chown(nobodys, Nobody);

        FilePermissions.Check(roots, uid: 1000);
        FilePermissions.Check(nobodys, uid: Nobody);
        var error = Assert.Throws<SshConfigException>(() => FilePermissions.Check(nobodys, uid: 1000));

        Assert.Equal(nobodys, error.FilePath);
        Assert.Contains("uid 65534, neither root nor this user (uid 1000)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_writable_file_is_refused()
    {
        var path = files.Write("User x\n", $"gw-{Guid.NewGuid():N}.conf");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite);

        var error = Assert.Throws<SshConfigException>(() => FilePermissions.Check(path));

        Assert.Contains("writable by its group or by others", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Both_ways_of_asking_for_owner_and_mode_agree()
    {
        // .NET's shim serves .NET; statx serves Mono, where the netstandard2.0 build runs on Linux.
        var path = files.Write("x\n", $"stat-{Guid.NewGuid():N}");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);

        var shim = UnixFiles.Stat(path);
        var statx = UnixFiles.StatX(path);

        Assert.NotNull(shim);
        Assert.Equal(shim, statx);
        Assert.Equal(0x182u, shim!.Value.Mode & 0xFFF);
        Assert.Equal(Tool(path), shim.Value.Owner);
    }

    private static uint Tool(string path) => uint.Parse(Keys.Tool.Run("stat", ["-c", "%u", path]).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static void Chown(string path, uint uid) => Keys.Tool.Run("chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path]);

    private static void RequireRoot()
    {
        if (Environment.UserName != "root")
        {
            Unavailable.SkipOrFail("chown to another user needs root");
        }
    }
}
